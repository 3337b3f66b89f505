import type { Transport } from '../../../shared/ipc/client.ts';
import type { EventName, Result } from '../../../shared/ipc/contract.ts';

/**
 * Web mode transport: the page talks to electron/web/server.ts on 127.0.0.1.
 * The access key arrives once in the address (?key=…, printed by `npm run web`), is kept in
 * sessionStorage and removed from the address bar so it does not end up in history or screenshots.
 */
import { KEY_HEADER } from '../../../shared/ipc/names.ts';

export { KEY_HEADER };
const STORAGE_KEY = 'smsdesk.key';

export function takeKeyFromLocation(win: Window = window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('key');
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      /* storage disabled: keep it in memory */
    }
    url.searchParams.delete('key');
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

const NO_KEY = 'This page needs its access key: open SMS Desk with the link printed in the terminal by `npm run web`.';

export function createWebTransport(
  key: string | null,
  base = '',
): Transport & { download(url: string, name: string): Promise<void> } {
  const headers = (): Record<string, string> => (key ? { [KEY_HEADER]: key } : {});

  async function call(route: string, input: unknown): Promise<Result<unknown>> {
    let res: Response;
    try {
      res = await fetch(`${base}/api/call`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers() },
        body: JSON.stringify({ route, input: input ?? null }),
        credentials: 'omit',
      });
    } catch {
      return {
        ok: false,
        error: {
          code: 'NETWORK',
          message: 'SMS Desk is not reachable: check that `npm run web` is still running in the terminal.',
        },
      };
    }
    if (res.status === 401) return { ok: false, error: { code: 'UNAUTHORIZED', message: NO_KEY } };
    try {
      return (await res.json()) as Result<unknown>;
    } catch {
      return {
        ok: false,
        error: { code: 'NETWORK', message: `SMS Desk answered with HTTP ${res.status} instead of a result.` },
      };
    }
  }

  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let stream: AbortController | null = null;

  // fetch() + a streamed body instead of EventSource, so the key travels in a header, not the URL.
  async function runStream(ctl: AbortController): Promise<void> {
    let delay = 500;
    while (!ctl.signal.aborted) {
      try {
        const res = await fetch(`${base}/api/events`, {
          headers: { Accept: 'text/event-stream', ...headers() },
          signal: ctl.signal,
          credentials: 'omit',
        });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            dispatch(buf.slice(0, cut));
            buf = buf.slice(cut + 2);
          }
        }
      } catch {
        /* reconnect below */
      }
      if (ctl.signal.aborted) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }

  function dispatch(block: string): void {
    let name = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    }
    const set = listeners.get(name);
    if (!set || !data) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    for (const cb of set) cb(payload);
  }

  function subscribe(event: EventName, cb: (payload: unknown) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(cb);
    if (!stream) {
      stream = new AbortController();
      void runStream(stream);
    }
    return () => {
      set.delete(cb);
      if ([...listeners.values()].every((s) => s.size === 0) && stream) {
        stream.abort();
        stream = null;
      }
    };
  }

  async function download(url: string, name: string): Promise<void> {
    const res = await fetch(`${base}${url}`, { headers: headers(), credentials: 'omit' });
    if (!res.ok)
      throw new Error(
        res.status === 410 || res.status === 404
          ? 'This download has already been used or has expired: export the file again.'
          : `The download failed (HTTP ${res.status}): export the file again.`,
      );
    const blob = await res.blob();
    const href = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  }

  return { call: call as Transport['call'], subscribe, download };
}
