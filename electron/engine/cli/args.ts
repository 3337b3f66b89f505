/** A usage mistake: exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

export interface Parsed {
  positionals: string[];
  flags: Map<string, string | true>;
}

/**
 * Small and strict: `--name value`, `--name=value`, boolean `--flag`. Unknown options are usage
 * errors, so a typo never silently changes what gets sent.
 */
export function parseArgs(argv: string[], spec: Record<string, 'string' | 'boolean'>): Parsed {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new UsageError(`Unknown option --${name}.`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value.`);
      flags.set(name, true);
    } else {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value.`);
      flags.set(name, v);
    }
  }
  return { positionals, flags };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function need(p: Parsed, name: string, what: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw new UsageError(`Missing --${name} (${what}).`);
  return v;
}

export function int(p: Parsed, name: string, min = 0): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UsageError(`--${name} must be a whole number of at least ${min}, not ${JSON.stringify(v)}.`);
  return Number(v);
}
