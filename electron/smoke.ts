/**
 * Smoke mode of the built app (`--smoke` or SMSDESK_SMOKE=1): start the engine, load the window,
 * print one line and quit, so a packaged build can be checked on a CI runner without clicking.
 * The shell (main.ts) supplies the two promises; this decides the line and the exit code, with a
 * deadline so a hang fails instead of blocking the pipeline. Pure: tested in tests/unit/lifecycle.test.ts.
 */

export const SMOKE_FLAG = '--smoke';
export const DEFAULT_SMOKE_TIMEOUT_MS = 60_000;

export function wantsSmoke(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return argv.includes(SMOKE_FLAG) || env.SMSDESK_SMOKE === '1';
}

export function smokeTimeoutMs(env: NodeJS.ProcessEnv): number {
  const n = Number(env.SMSDESK_SMOKE_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_SMOKE_TIMEOUT_MS;
}

export interface SmokeSteps {
  /** resolves once the engine has started, with whether it runs against the built-in sandbox */
  engine: Promise<{ sandbox: boolean }>;
  /** resolves once the window has loaded our page and the UI has rendered */
  window: Promise<void>;
  timeoutMs: number;
  now?: () => number;
}

export interface SmokeResult {
  code: 0 | 1;
  line: string;
}

/** One line for the log and the exit code: `smoke: ok …` with 0, or `smoke: FAILED …` with 1. */
export async function runSmoke(steps: SmokeSteps): Promise<SmokeResult> {
  const now = steps.now ?? Date.now;
  const t0 = now();
  const done = { engine: false, window: false };
  const track = <T>(p: Promise<T>, what: 'engine' | 'window', failure: string) =>
    p.then(
      (v) => {
        done[what] = true;
        return v;
      },
      (err: unknown) => {
        throw new Error(`${failure}: ${oneLine(err)}`);
      },
    );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const waiting = [!done.engine && 'the engine to start', !done.window && 'the window to load']
        .filter(Boolean)
        .join(' and ');
      reject(new Error(`timed out after ${steps.timeoutMs} ms waiting for ${waiting}`));
    }, steps.timeoutMs);
  });
  try {
    const [engine] = await Promise.race([
      Promise.all([
        track(steps.engine, 'engine', 'the engine did not start'),
        track(steps.window, 'window', 'the window did not load'),
      ]),
      deadline,
    ]);
    const ms = Math.round(now() - t0);
    return {
      code: 0,
      line: `smoke: ok engine ready, window loaded, ${engine.sandbox ? 'sandbox' : 'live gateway'}, ${ms} ms`,
    };
  } catch (err) {
    return { code: 1, line: `smoke: FAILED ${oneLine(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').trim().replace(/[.]$/, '');
}
