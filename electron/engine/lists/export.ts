import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EXPORT_PAGE, writeTable } from '../tableFile.ts';
import type { DB } from '../db/open.ts';
import type { ExportResult } from '../../../shared/exports.ts';
import { ImportError } from '../../../shared/import/index.ts';
import { findList, listPhoneColumn } from './queries.ts';

/**
 * The rejected rows: first the row number each had in the imported file (so the user finds it
 * there), then the original columns under their headers in the file's order (so the fixed rows
 * re-import as they are: the number column is not phone-like), then why. CSV is UTF-8 with a BOM,
 * which Excel needs to show é and ñ properly.
 */
export async function exportRejects(
  db: DB,
  listId: number,
  file: string,
  format: 'csv' | 'xlsx',
): Promise<ExportResult> {
  const list = findList(db, listId);
  if (!list)
    throw new ImportError('LIST_NOT_FOUND', `There is no list with id ${listId}: choose a list from "smsdesk lists".`);
  const fields = JSON.parse(list.fields) as string[];
  const phoneColumn = listPhoneColumn(list);
  const free = (name: string) => {
    while (fields.includes(name)) name += '_';
    return name;
  };
  const header = [free('row'), ...fields, free('reason')];
  type Reject = { id: number; row: number; kind: string; value: string | null; reason: string; fields: string };
  // in pages, in file order, the event loop turning between them (as the campaign export)
  const page = db.prepare<[number, number, number, number], Reject>(
    `SELECT id, row, kind, value, reason, fields FROM import_rejects
     WHERE list_id = ? AND (row > ? OR (row = ? AND id > ?)) ORDER BY row, id LIMIT ${EXPORT_PAGE}`,
  );
  const toCells = (r: Reject): Array<string | number> => {
    const f = JSON.parse(r.fields) as Record<string, string>;
    if (phoneColumn && f[phoneColumn] === undefined) f[phoneColumn] = r.value ?? '';
    const reason = r.kind === 'invalid' ? r.reason : `${r.kind}: ${r.reason}`;
    return [r.row, ...fields.map((k) => f[k] ?? ''), reason];
  };

  async function* rows() {
    for (let row = Number.MIN_SAFE_INTEGER, id = 0; ;) {
      const got = page.all(listId, row, row, id);
      yield got.map(toCells);
      if (got.length < EXPORT_PAGE) return;
      ({ row, id } = got[got.length - 1]);
      await yieldToLoop();
    }
  }
  return writeTable(file, format, header, rows(), 'Rejected rows');
}
