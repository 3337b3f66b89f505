import { useCallback, useEffect, useRef } from 'react';
import type { FromWorker, ToWorker } from '../../workers/protocol.ts';

/** One parsing worker per opened file; terminated when the page goes away or a new file is opened. */
export function useParser(onMessage: (m: FromWorker) => void) {
  const worker = useRef<Worker | null>(null);
  const handler = useRef(onMessage);
  handler.current = onMessage;

  const stop = useCallback(() => {
    worker.current?.terminate();
    worker.current = null;
  }, []);

  const start = useCallback(() => {
    stop();
    const w = new Worker(new URL('../../workers/parse.worker.ts', import.meta.url), {
      type: 'module',
      name: 'smsdesk-parser',
    });
    w.onmessage = (e: MessageEvent<FromWorker>) => handler.current(e.data);
    w.onerror = (e) => {
      e.preventDefault();
      handler.current({
        type: 'error',
        message: `The file reader stopped unexpectedly${e.message ? ` (${e.message})` : ''}. Open the file again.`,
      });
    };
    worker.current = w;
    return w;
  }, [stop]);

  const post = useCallback((m: ToWorker) => {
    worker.current?.postMessage(m);
  }, []);

  useEffect(() => stop, [stop]);
  return { start, post, stop };
}
