import fs from 'node:fs';
import type { DB } from '../db/open.ts';
import { normalizeMsisdn } from '../../../shared/phone/index.ts';
import { ImportError, baseName, parseContactBytes } from '../../../shared/import/index.ts';
import { pageOf } from './queries.ts';

const CHUNK = 5000;

export function createOptouts(
  db: DB,
  defaultCountry: () => string,
  now: () => number,
  countryOf: (requested: string | undefined, fileName: string) => string,
) {
  const insert = db.prepare(`INSERT OR IGNORE INTO optouts (msisdn, added_at, source) VALUES (?, ?, ?)`);
  const del = db.prepare(`DELETE FROM optouts WHERE msisdn = ?`);
  const insertMany = db.transaction((msisdns: string[], source: string | null) => {
    const at = now();
    let n = 0;
    for (const m of msisdns) n += insert.run(m, at, source).changes;
    return n;
  });

  const add = (numbers: string[], source?: string): { added: number; invalid: string[] } => {
    const country = defaultCountry();
    const valid: string[] = [];
    const invalid: string[] = [];
    for (const raw of numbers) {
      const r = normalizeMsisdn(raw, country);
      if (r.ok) valid.push(r.msisdn);
      else invalid.push(raw);
    }
    let added = 0;
    for (let i = 0; i < valid.length; i += CHUNK) added += insertMany(valid.slice(i, i + CHUNK), source ?? null);
    return { added, invalid };
  };

  return {
    list(page: { offset: number; limit: number; search?: string }) {
      const { offset, limit } = pageOf(page);
      // "0806 123" should find 234806123…: stored numbers have no trunk zero
      const digits = (page.search ?? '').replace(/\D/g, '').replace(/^0+/, '');
      const where = digits ? `WHERE msisdn LIKE ?` : '';
      const args = digits ? [`%${digits}%`] : [];
      const total = db
        .prepare(`SELECT count(*) FROM optouts ${where}`)
        .pluck()
        .get(...args) as number;
      const rows = (
        db
          .prepare(
            `SELECT msisdn, added_at, source FROM optouts ${where} ORDER BY added_at DESC, msisdn LIMIT ? OFFSET ?`,
          )
          .all(...args, limit, offset) as Array<{ msisdn: string; added_at: number; source: string | null }>
      ).map((r) => ({ msisdn: r.msisdn, addedAt: r.added_at, source: r.source }));
      return { total, rows };
    },
    add,
    /** `msisdns`: the numbers that were on the list and are not now */
    remove(numbers: string[]): { removed: number; msisdns: string[] } {
      const country = defaultCountry();
      const msisdns: string[] = [];
      const go = db.transaction((list: string[]) => {
        for (const raw of list) {
          const r = normalizeMsisdn(raw, country);
          // also accept exactly what `optout list` printed, even if it no longer normalises
          const m = r.ok ? r.msisdn : String(raw).replace(/\D/g, '');
          if (del.run(m).changes) msisdns.push(m);
        }
      });
      for (let i = 0; i < numbers.length; i += CHUNK) go(numbers.slice(i, i + CHUNK));
      return { removed: msisdns.length, msisdns };
    },
    /** A file of numbers (any format lists.import reads); the phone column is found the same way. */
    import(
      path: string,
      opts: { country?: string; encoding?: string } = {},
    ): { added: number; invalid: number; rows: number } {
      const fileName = baseName(path);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(fs.readFileSync(path));
      } catch {
        throw new ImportError(
          'IMPORT_NOT_FOUND',
          `Cannot open ${fileName}: check that the file exists and that SMS Desk may read it.`,
        );
      }
      const country = countryOf(opts.country, fileName);
      let added = 0,
        invalid = 0,
        rows = 0;
      let pending: string[] = [];
      const flush = () => {
        const valid: string[] = [];
        for (const raw of pending) {
          const r = normalizeMsisdn(raw, country);
          if (r.ok) valid.push(r.msisdn);
          else invalid++;
        }
        added += insertMany(valid, `import:${fileName}`);
        pending = [];
      };
      parseContactBytes(bytes, {
        fileName,
        encoding: opts.encoding,
        defaultCountry: country,
        onRows: (r) => {
          rows += r.length;
          for (const row of r) pending.push(row.phone);
          if (pending.length >= CHUNK) flush();
        },
      });
      flush();
      return { added, invalid, rows };
    },
  };
}
export type OptoutsList = ReturnType<typeof createOptouts>;
