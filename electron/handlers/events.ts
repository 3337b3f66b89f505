import { events, type EventName, type EventPayload } from '../../shared/ipc/contract.ts';
import type { EngineEvent } from '../engine/api.ts';
import type { EngineLike } from './engine-like.ts';

export type Emit = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/**
 * Turns engine events into the contract's events, each checked against its schema (so nothing the
 * contract does not list reaches the page). The engine already coalesces campaign changes to a few
 * per second; its event carries the status, which is read afresh only when it is missing.
 */
export function createEventBridge(
  engine: EngineLike,
  emit: Emit,
  opts: { log?: (m: string) => void } = {},
): () => void {
  let closed = false;

  const send = <E extends EventName>(name: E, payload: unknown) => {
    const parsed = events[name].safeParse(payload);
    if (parsed.success) emit(name, parsed.data as EventPayload<E>);
    else
      opts.log?.(
        `dropped a ${name} event outside the contract: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
      );
  };

  const campaign = (e: EngineEvent) => {
    if (typeof e.campaignId !== 'number') return send('campaign', { campaignId: null, status: null });
    const fromEvent = events.campaign.shape.status.safeParse(e.detail);
    if (fromEvent.success && fromEvent.data)
      return send('campaign', { campaignId: e.campaignId, status: fromEvent.data });
    const id = e.campaignId;
    // the engine may live in a worker: its answer comes later, and the bridge may be closed by then
    void (async () => engine.campaigns.status(id))().then(
      (status) => {
        if (!closed) send('campaign', { campaignId: id, status });
      },
      (err: Error) => opts.log?.(`campaign ${id}: no status for its event (${err.message})`),
    );
  };

  const off = engine.on((e: EngineEvent) => {
    if (closed) return;
    const d = (e.detail ?? {}) as Record<string, unknown>;
    switch (e.type) {
      case 'campaign':
        return campaign(e);
      case 'sending-blocked':
        return send('sending-blocked', {
          campaignId: e.campaignId ?? null,
          code: d.code ?? null,
          message: typeof e.detail === 'string' ? e.detail : (d.message ?? null),
        });
      case 'preparing':
        return send('campaign-preparing', { contacts: d.contacts, of: d.of });
      case 'log':
        // the host's "the engine stopped unexpectedly and was restarted": the page shows it
        if (typeof e.detail === 'string') return send('engine-notice', { message: e.detail.slice(0, 500) });
        return;
    }
  });

  return () => {
    closed = true;
    off();
  };
}
