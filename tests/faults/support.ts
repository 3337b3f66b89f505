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
import { inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { mulberry32 } from '../../electron/engine/sandbox/random.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export { BIN } from '../helpers/cli.ts';

/** The parts of the suite; the summary waits for all of them. */
export const PARTS = [
  'gateway',
  'crash',
  'crashdata',
  'storage',
  'clock',
  'input',
  'hostile',
  'corrupt',
  'readers',
  'senders',
] as const;
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
    try {
      got[p] = JSON.parse(fs.readFileSync(path.join(statsDir, `${p}.json`), 'utf8'));
    } catch {
      /* not yet */
    }
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
export function tableDigests(
  dbFile: string,
  tables = ['settings', 'lists', 'contacts', 'import_rejects', 'optouts', 'campaigns', 'batches', 'messages'],
): Record<string, string> {
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

/** The entries of a zip file (stored or deflated): the XML inside an XLSX, as a spreadsheet reads it. */
export function unzip(buf: Buffer): Map<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const out = new Map<string, Buffer>();
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = buf.readUInt16LE(eocd + 10); i > 0; i--) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const skip = nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    out.set(
      buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
      method === 8 ? inflateRawSync(data) : Buffer.from(data),
    );
    p += 46 + skip;
  }
  return out;
}

/**
 * Every place among `files` (and inside each zip among them: XLSX) holding the secret or any
 * 12-character slice of it, as UTF-8 or UTF-16LE: "file", "file!entry", with the slice found.
 */
export function secretTraces(files: string[], secret: string, sliceLen = 12): string[] {
  const needles = new Set<string>();
  for (let i = 0; i + sliceLen <= secret.length; i++) needles.add(secret.slice(i, i + sliceLen));
  if (needles.size === 0) needles.add(secret);
  const patterns = [...needles].flatMap((text) => [
    { text, bytes: Buffer.from(text, 'utf8') },
    { text, bytes: Buffer.from(text, 'utf16le') },
  ]);
  const hits: string[] = [];
  const scan = (where: string, b: Buffer) => {
    const found = patterns.find((n) => b.includes(n.bytes));
    if (found) hits.push(`${where} (${JSON.stringify(found.text)})`);
    if (b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
      for (const [name, data] of unzip(b)) scan(`${where}!${name}`, data);
    }
  };
  for (const f of files) scan(f, fs.readFileSync(f));
  return hits;
}

/** Every file under dir, recursively. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}
