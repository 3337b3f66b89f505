import { useCallback, useEffect, useRef, useState } from 'react';

/** An error as one sentence for the user; the API already words its errors that way. */
export function messageOf(e: unknown): string {
  if (e instanceof Error && e.message) return e.message;
  if (typeof e === 'string' && e) return e;
  return 'Something went wrong and no reason was given. Try again; if it keeps happening, restart SMS Desk.';
}

/**
 * Runs one user action at a time and keeps its error beside the button that started it,
 * so no failure is swallowed and no double click starts the action twice.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      if (alive.current) setError(messageOf(e));
      return undefined;
    } finally {
      if (alive.current) setBusy(false);
    }
  }, []);
  return { run, busy, error, setError };
}

/** Loads data on mount and when `deps` change; `reload` repeats the call. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    fn().then(
      (v) => {
        if (live) {
          setData(v);
          setError(null);
        }
      },
      (e) => {
        if (live) setError(messageOf(e));
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload, setData };
}
