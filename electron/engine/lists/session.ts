import type { DB } from '../db/open.ts';
import type { ImportCounts, ImportReport, RawContactRow } from '../api.ts';
import { normalizeMsisdn } from '../../../shared/phone/index.ts';
import { ImportError, noContactsBelowHeader } from '../../../shared/import/index.ts';
import { deleteListChunked, deleteListYielding } from './cleanup.ts';
import { createNumberIndex } from './numberIndex.ts';
import { batchedInsert } from '../db/rows.ts';

/**
 * Rows per transaction. A file import yields to the event loop between slices of this size, so
 * the send loop sharing the process and the connection waits at most one slice (a few ms).
 */
export const STORE_CHUNK = 500;
const REPORT_REJECTS = 100;
/**
 * The connection's page cache while a slice is stored. Imported pages are written once and never
 * read back; kept in the engine's 64 MB cache they would grow the process by up to that much on
 * a big file (and push out the pages the send loop reads). Set for each slice and put back after
 * it, so nothing is left changed if an import is abandoned.
 */
const IMPORT_CACHE_KIB = 8192;

/** Runs fn with the connection's page cache at IMPORT_CACHE_KIB at most (statements prepared once: a pragma per slice adds up). */
function smallCacheRunner(db: DB): <T>(fn: () => T) => T {
  const read = db.prepare('PRAGMA cache_size').pluck();
  const pageKib = (db.pragma('page_size', { simple: true }) as number) / 1024;
  const setTo = new Map<number, { run(): unknown }>();
  const set = (n: number) => {
    let st = setTo.get(n);
    if (!st) {
      st = db.prepare(`PRAGMA cache_size = ${Math.trunc(n)}`);
      setTo.set(n, st);
    }
    st.run();
  };
  return (fn) => {
    const saved = read.get() as number;
    if ((saved < 0 ? -saved : saved * pageKib) <= IMPORT_CACHE_KIB) return fn();
    set(-IMPORT_CACHE_KIB);
    try {
      return fn();
    } finally {
      set(saved);
    }
  };
}

export interface SessionOptions {
  list: string;
  fields: string[];
  phoneColumn: string;
  country: string;
  source: string | null;
  sheet: string | null;
  headerRow: number;
  /** name of the file for error messages */
  fileName?: string;
}

export interface ImportSession {
  readonly listId: number;
  add(rows: RawContactRow[]): ImportCounts;
  /** how many rows the whole file probably holds (from its size), so memory for them is set aside early */
  expectRows(rows: number): void;
  commit(): ImportReport;
  /** the list is gone from view at once; its rows go a few thousand at a time, the event loop turning between */
  cancel(): Promise<void>;
  readonly counts: ImportCounts;
}

export function listExistsError(name: string, fileName?: string): ImportError {
  const what = fileName ? `${fileName} was not imported: a` : 'A';
  return new ImportError(
    'LIST_EXISTS',
    `${what} list called "${name}" already exists: choose another list name, or delete the old list first.`,
  );
}

export function assertNameFree(db: DB, name: string, fileName?: string): void {
  if (name.trim() === '')
    throw new ImportError(
      'LIST_NAME_REQUIRED',
      `${fileName ? `${fileName} was not imported: the` : 'The'} new list needs a name, so type one.`,
    );
  const hit = db.prepare(`SELECT 1 FROM lists WHERE name = ? AND state = 'ready'`).get(name);
  if (hit) throw listExistsError(name, fileName);
}

/**
 * One import into a new list: the list exists as 'importing' (invisible) while rows go in
 * chunk by chunk, and becomes 'ready' in the final transaction. Duplicates are found in memory
 * (number → first row, in typed arrays: ~24 MB for a million numbers): a unique index did the same on disk, but
 * numbers in file order land on random pages of it, which made a 1M-row import ~10× slower.
 */
export function createImportSession(db: DB, opts: SessionOptions, now: () => number): ImportSession {
  const name = opts.list.trim();
  assertNameFree(db, name, opts.fileName);
  const fields = opts.fields.includes(opts.phoneColumn) ? opts.fields : [...opts.fields, opts.phoneColumn];
  const listId = Number(
    db
      .prepare(`INSERT INTO lists (name, state, fields, source, created_at) VALUES (?, 'importing', ?, ?, ?)`)
      .run(name, JSON.stringify(fields), opts.source, now()).lastInsertRowid,
  );

  // Rows go in 20 to a statement (db/rows.ts), the rest of a slice in one more at its end.
  const contactRows = batchedInsert(db, 'contacts', ['list_id', 'seq', 'row', 'msisdn', 'network', 'fields']);
  let firstRow = createNumberIndex();
  const anyOptout = db.prepare(`SELECT EXISTS (SELECT 1 FROM optouts)`).pluck();
  // one look-up per transaction for all its numbers, not one per row
  const optedOutOf = db.prepare(`SELECT msisdn FROM optouts WHERE msisdn IN (SELECT value FROM json_each(?))`).pluck();
  const withSmallCache = smallCacheRunner(db);
  const rejectRows = batchedInsert(db, 'import_rejects', ['list_id', 'row', 'kind', 'value', 'reason', 'fields']);

  const counts: ImportCounts = { rows: 0, valid: 0, invalid: 0, duplicates: 0, suppressed: 0 };
  const firstRejects: ImportReport['rejects'] = [];
  let seq = 0;
  let state: 'open' | 'committed' | 'cancelled' = 'open';

  const reject = (
    row: RawContactRow,
    kind: 'invalid' | 'duplicate' | 'suppressed',
    reason: string,
    fieldsJson: string,
  ) => {
    rejectRows.add(listId, row.row, kind, row.phone, reason, fieldsJson);
    if (firstRejects.length < REPORT_REJECTS) firstRejects.push({ row: row.row, kind, value: row.phone, reason });
  };

  const storeChunk = db.transaction((rows: RawContactRow[]) => {
    // a slice that threw (rolled back) may have left values behind
    contactRows.clear();
    rejectRows.clear();
    const found = rows.map((row) => normalizeMsisdn(row.phone ?? '', opts.country));
    // read inside the transaction: nothing can add an opt-out between this and the inserts
    let optedOut: Set<string> | null = null;
    if (anyOptout.get()) {
      const numbers: string[] = [];
      for (const r of found) if (r.ok) numbers.push(r.msisdn);
      optedOut = new Set(optedOutOf.all(JSON.stringify(numbers)) as string[]);
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i],
        r = found[i];
      counts.rows++;
      const cells =
        row.fields[opts.phoneColumn] === undefined ? { ...row.fields, [opts.phoneColumn]: row.phone } : row.fields;
      const fieldsJson = JSON.stringify(cells);
      if (!r.ok) {
        counts.invalid++;
        reject(row, 'invalid', r.reason, fieldsJson);
        continue;
      }
      if (optedOut?.has(r.msisdn)) {
        counts.suppressed++;
        reject(row, 'suppressed', `${r.msisdn} is on the opt-out list`, fieldsJson);
        continue;
      }
      const first = firstRow.firstOrSet(r.msisdn, row.row);
      if (first !== undefined) {
        counts.duplicates++;
        reject(row, 'duplicate', `same number as row ${first}`, fieldsJson);
        continue;
      }
      contactRows.add(listId, seq + 1, row.row, r.msisdn, r.network, fieldsJson);
      seq++;
      counts.valid++;
    }
    contactRows.flush();
    rejectRows.flush();
  });

  const ensureOpen = () => {
    if (state !== 'open')
      throw new ImportError(
        'IMPORT_NOT_FOUND',
        `The import into "${name}" has already ${state === 'committed' ? 'finished' : 'been cancelled'}: start a new import.`,
      );
  };

  return {
    listId,
    get counts() {
      return { ...counts };
    },
    expectRows(rows) {
      if (state === 'open' && Number.isFinite(rows) && rows > 0) firstRow.reserve(Math.ceil(rows));
    },
    add(rows) {
      ensureOpen();
      withSmallCache(() => {
        for (let i = 0; i < rows.length; i += STORE_CHUNK) storeChunk(rows.slice(i, i + STORE_CHUNK));
      });
      return { ...counts };
    },
    commit() {
      ensureOpen();
      // A list of nobody would be offered for sending; the header alone is not a list.
      if (counts.rows === 0) {
        state = 'cancelled';
        deleteListChunked(db, listId);
        throw noContactsBelowHeader(opts.fileName ?? opts.source, opts.headerRow);
      }
      const report: ImportReport = {
        list: { id: listId, name },
        ...counts,
        sheet: opts.sheet,
        headerRow: opts.headerRow,
        phoneColumn: opts.phoneColumn,
        fields,
        rejects: firstRejects,
      };
      try {
        db.prepare(`UPDATE lists SET state = 'ready', contacts = ?, report = ? WHERE id = ?`).run(
          counts.valid,
          JSON.stringify({ ...report, rejects: undefined }),
          listId,
        );
      } catch (e) {
        // another import took the name while this one was running
        state = 'cancelled';
        deleteListChunked(db, listId);
        if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw listExistsError(name, opts.fileName);
        throw e;
      }
      state = 'committed';
      firstRow = createNumberIndex();
      return report;
    },
    async cancel() {
      if (state !== 'open') return;
      state = 'cancelled';
      firstRow = createNumberIndex();
      // still 'importing', so a close half-way leaves it to start-up cleanup
      await deleteListYielding(db, listId).catch((e: unknown) => {
        if ((e as { code?: string }).code !== 'STOPPED') throw e;
      });
    },
  };
}
