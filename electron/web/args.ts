export interface WebArgs {
  port: number;
  dataDir: string | null;
  open: boolean;
  staticDir: string | null;
  check: boolean;
}

/** `--port N --data-dir DIR --no-open --static DIR --check`; throws one sentence for anything else */
export function parseWebArgs(argv: string[]): WebArgs {
  const out: WebArgs = { port: 0, dataDir: null, open: true, staticDir: null, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 65535)
          throw new Error(`--port must be a number from 0 to 65535 (0 picks a free one), not ${JSON.stringify(v)}.`);
        out.port = n;
        break;
      }
      case '--data-dir':
        out.dataDir = value();
        break;
      case '--static':
        out.staticDir = value();
        break;
      case '--no-open':
        out.open = false;
        break;
      // start, answer one API call over HTTP, print one line, stop: the non-interactive start check
      case '--check':
        out.check = true;
        out.open = false;
        break;
      case '--host': {
        const v = value();
        if (v !== '127.0.0.1' && v !== 'localhost')
          throw new Error(
            `The web mode only listens on 127.0.0.1, never on ${JSON.stringify(v)}: it controls your SMS account and must not be reachable from the network.`,
          );
        break;
      }
      default:
        throw new Error(`Unknown option ${JSON.stringify(a)}. Options: --port N, --data-dir DIR, --no-open, --check.`);
    }
  }
  return out;
}
