import { writeTable } from '../tableFile.ts';
import type { DB } from '../db/open.ts';
import { ImportError } from '../../../shared/import/index.ts';
import { findList, listPhoneColumn } from './queries.ts';

/**
 * The rejected rows with the original headers (so the fixed file re-imports as is) plus a
 * "reason" column. CSV is UTF-8 with a BOM, which Excel needs to show é and ñ properly.
 */
export function exportRejects(db: DB, listId: number, file: string, format: 'csv' | 'xlsx'): { file: string; rows: number } {
  const list = findList(db, listId);
  if (!list) throw new ImportError('LIST_NOT_FOUND', `There is no list with id ${listId}: choose a list from "smsdesk lists".`);
  const fields = JSON.parse(list.fields) as string[];
  const phoneColumn = listPhoneColumn(list);
  let reasonHeader = 'reason';
  while (fields.includes(reasonHeader)) reasonHeader += '_';
  const header = [...fields, reasonHeader];
  const iter = db.prepare(`SELECT kind, value, reason, fields FROM import_rejects WHERE list_id = ? ORDER BY row, id`)
    .iterate(listId) as IterableIterator<{ kind: string; value: string | null; reason: string; fields: string }>;
  const toCells = (r: { kind: string; value: string | null; reason: string; fields: string }): string[] => {
    const f = JSON.parse(r.fields) as Record<string, string>;
    if (phoneColumn && f[phoneColumn] === undefined) f[phoneColumn] = r.value ?? '';
    const reason = r.kind === 'invalid' ? r.reason : `${r.kind}: ${r.reason}`;
    return [...fields.map((k) => f[k] ?? ''), reason];
  };

  function* rows() { for (const r of iter) yield toCells(r); }
  try {
    return writeTable(file, format, header, rows(), 'Rejected rows');
  } finally {
    // An open iterator keeps the shared connection busy (the send loop's writes would fail).
    iter.return?.();
  }
}
