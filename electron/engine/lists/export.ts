import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import type { DB } from '../db/open.ts';
import { ImportError } from '../../../shared/import/index.ts';
import { findList, listPhoneColumn } from './queries.ts';

/** Excel runs cells starting with these as formulas; a leading ' keeps them text (and our import strips it). */
function csvCell(v: string): string {
  let s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

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

  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  let rows = 0;
  try {
    if (format === 'csv') {
      const fd = fs.openSync(tmp, 'w');
      try {
        let buf = '\ufeff' + header.map(csvCell).join(',') + '\r\n';
        for (const r of iter) {
          buf += toCells(r).map(csvCell).join(',') + '\r\n';
          rows++;
          if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
        }
        fs.writeSync(fd, buf);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      const aoa: string[][] = [header];
      for (const r of iter) { aoa.push(toCells(r)); rows++; }
      // every cell a string cell: a phone number never turns into 2.34803E+12
      const sheet = XLSX.utils.aoa_to_sheet(aoa, { cellDates: false });
      const wb = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(wb, sheet, 'Rejected rows');
      fs.writeFileSync(tmp, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { file: target, rows };
}
