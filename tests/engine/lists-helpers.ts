import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DB } from '../../electron/engine/db/open.ts';
import { createListsService, type ListsService } from '../../electron/engine/lists/index.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/import');
export const fixture = (name: string) => path.join(FIXTURES, name);

export interface Ctx {
  dir: string;
  db: DB;
  svc: ListsService;
  close(): void;
}

export function setup(settings: Record<string, unknown> = {}): Ctx {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-lists-'));
  const db = openDatabase(path.join(dir, 'smsdesk.db'));
  const all: Record<string, unknown> = { 'phone.defaultCountry': 'NG', ...settings };
  let t = 1_700_000_000_000;
  const svc = createListsService({ db, settings: { get: (k: string) => all[k] as string }, now: () => t++ });
  return {
    dir,
    db,
    svc,
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Row counts of every table an import touches: "nothing changed" means these are equal. */
export function tableCounts(db: DB): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['lists', 'contacts', 'import_rejects', 'optouts'])
    out[t] = db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  return out;
}
