import { events, type EventName, type EventPayload } from '../../shared/ipc/contract.ts';
import type { Engine, EngineEvent } from '../engine/api.ts';

export type Emit = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/**
 * Turns engine events into the contract's events. Campaign events are coalesced per campaign
 * (first one at once, then at most one every `coalesceMs`, always ending with the latest state),
 * because the send loop reports far more often than a window can repaint.
 */
export function createEventBridge(engine: Engine, emit: Emit, opts: { coalesceMs?: number; log?: (m: string) => void } = {}): () => void {
  const every = opts.coalesceMs ?? 250;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  const pending = new Set<number>();
  let closed = false;

  const send = <E extends EventName>(name: E, payload: unknown) => {
    const parsed = events[name].safeParse(payload);
    if (parsed.success) emit(name, parsed.data as EventPayload<E>);
    else opts.log?.(`dropped a ${name} event outside the contract: ${parsed.error.issues[0]?.message}`);
  };

  const pushStatus = (id: number) => {
    try {
      send('campaign', { campaignId: id, status: engine.campaigns.status(id) });
    } catch (err) {
      opts.log?.(`campaign ${id} status for an event failed: ${(err as Error).message}`);
    }
  };

  const onCampaign = (id: number) => {
    if (timers.has(id)) { pending.add(id); return; }
    pushStatus(id);
    const tick = () => {
      if (closed) return;
      if (pending.delete(id)) { pushStatus(id); timers.set(id, setTimeout(tick, every)); }
      else timers.delete(id);
    };
    timers.set(id, setTimeout(tick, every));
  };

  const off = engine.on((e: EngineEvent) => {
    if (closed) return;
    const d = (e.detail ?? {}) as Record<string, unknown>;
    switch (e.type) {
      case 'campaign':
        if (typeof e.campaignId === 'number') onCampaign(e.campaignId);
        return;
      case 'import-progress':
        send('import-progress', { importId: typeof d.importId === 'string' ? d.importId : null, phase: d.phase, rows: d.rows, bytesRead: d.bytesRead ?? 0, totalBytes: d.totalBytes ?? 0 });
        return;
      case 'sending-blocked':
        send('sending-blocked', {
          campaignId: e.campaignId ?? null,
          message: typeof e.detail === 'string' ? e.detail : typeof d.message === 'string' ? d.message : 'Sending stopped: open the campaign to see why.',
        });
        return;
      case 'log':
        return;
    }
  });

  return () => {
    closed = true;
    off();
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
}
