/**
 * Shared pieces of the fault suite: a seeded random stream, the CLI child, table checksums,
 * the rate-window check, a token scan over files, and the suite's one summary line.
 *
 * Vitest runs each test file in its own process, so every file writes its numbers to a small
 * JSON file in a folder named after the vitest process (their common parent); whichever file
 * finishes last finds all parts and prints the summary line.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { mulberry32 } from '../../electron/engine/sandbox/random.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export { BIN } from '../helpers/cli.ts';

/** The parts of the suite; the summary waits for all of them. */
export const PARTS = ['gateway', 'crash', 'crashdata', 'storage', 'clock', 'input'] as const;
export type Part = (typeof PARTS)[number];

export interface Stats {
  recipients: number;
  faults: number;
  crashes: number;
  lost: number;
  duplicated: number;
  tokenLeaks: number;
  /** free text: what this part checked */
  notes?: string[];
}

const statsDir = path.join(os.tmpdir(), `smsdesk-fault-suite-${process.ppid}`);

export function recordStats(part: Part, s: Stats): void {
  fs.mkdirSync(statsDir, { recursive: true });
  fs.writeFileSync(path.join(statsDir, `${part}.json`), JSON.stringify(s));
}

/** Prints the summary line once every part has reported (else a partial line for this run). */
export function printSummary(): void {
  const got: Partial<Record<Part, Stats>> = {};
  for (const p of PARTS) {
    try { got[p] = JSON.parse(fs.readFileSync(path.join(statsDir, `${p}.json`), 'utf8')); } catch { /* not yet */ }
  }
  const parts = Object.values(got) as Stats[];
  const sum = (k: keyof Omit<Stats, 'notes'>) => parts.reduce((n, s) => n + s[k], 0);
  const line = `${sum('recipients')} recipients, ${sum('faults')} faults injected, ${sum('crashes')} crashes, lost ${sum('lost')}, duplicated ${sum('duplicated')}, token leaks ${sum('tokenLeaks')}`;
  const missing = PARTS.filter((p) => !got[p]);
  if (missing.length === 0) {
    console.log(`fault suite: ${line}`);
    fs.rmSync(statsDir, { recursive: true, force: true });
  } else {
    console.log(`fault suite (partial: ${Object.keys(got).join(', ')}; waiting for ${missing.join(', ')}): ${line}`);
  }
}

/** mulberry32: small, seeded, reproducible. */
export const seeded = mulberry32;

export { cli, type CliRun } from '../helpers/cli.ts';

/** Largest number of arrivals inside any window [t, t + windowMs). */
export function maxInWindow(arrivals: number[], windowMs = 1000): number {
  const t = arrivals.slice().sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j] < t[i] + windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

/** A digest per table (every row): equal digests mean nothing stored changed. */
export function tableDigests(dbFile: string, tables = ['settings', 'lists', 'contacts', 'import_rejects', 'optouts', 'campaigns', 'batches', 'messages']): Record<string, string> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, string> = {};
    for (const t of tables) {
      const h = crypto.createHash('sha256');
      // Sorted as text: optouts has no rowid, and order of storage is not what we compare.
      const rows = (db.prepare(`SELECT * FROM ${t}`).all() as unknown[]).map((r) => JSON.stringify(r)).sort();
      for (const r of rows) h.update(r);
      out[t] = h.digest('hex').slice(0, 16);
    }
    return out;
  } finally {
    db.close();
  }
}

/** Every file under dir (recursively) whose bytes contain the needle (as UTF-8 or UTF-16LE). */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const utf8 = Buffer.from(needle, 'utf8');
  const utf16 = Buffer.from(needle, 'utf16le');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const b = fs.readFileSync(p);
        if (b.includes(utf8) || b.includes(utf16)) hits.push(p);
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return hits;
}
