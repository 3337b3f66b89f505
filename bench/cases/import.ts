import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import Database from 'better-sqlite3';
import * as XLSX from '@e965/xlsx';
import { benchEngine, ms, tempDir } from '../lib/engine.ts';

/** The product: file -> normalised, de-duplicated list in SQLite, through engine.lists.import. */
export async function importEngine(a: { file: string; checkpointRows?: number }) {
  const dir = tempDir();
  const engine = await benchEngine(dir);
  // Peak RSS once `checkpointRows` rows are in, to compare with the peak at the end: memory
  // that stays flat as rows grow.
  let rssAtCheckpointMb: number | null = null;
  const onProgress = (p: { rows: number }) => {
    if (rssAtCheckpointMb === null && a.checkpointRows && p.rows >= a.checkpointRows)
      rssAtCheckpointMb = process.resourceUsage().maxRSS / 1024;
  };
  const t0 = process.hrtime.bigint();
  const report = await engine.lists.import(a.file, { list: 'bench', country: 'NG' }, { onProgress });
  const wallMs = ms(t0);
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    wallMs,
    rows: report.rows,
    valid: report.valid,
    invalid: report.invalid,
    duplicates: report.duplicates,
    rssAtCheckpointMb,
  };
}

function rawTable(dir: string) {
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE raw (phone TEXT, first_name TEXT, city TEXT)');
  return db;
}

/** Baseline: papaparse streams the same file, better-sqlite3 inserts the raw rows in one transaction. */
export async function csvBaseline(a: { file: string }) {
  const dir = tempDir();
  const db = rawTable(dir);
  const insert = db.prepare('INSERT INTO raw (phone, first_name, city) VALUES (?, ?, ?)');
  const t0 = process.hrtime.bigint();
  db.exec('BEGIN');
  let rows = 0;
  let header = true;
  await new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(fs.createReadStream(a.file), {
      step: (r) => {
        if (header) {
          header = false;
          return;
        }
        const d = r.data;
        if (d.length < 3) return;
        insert.run(d[0], d[1], d[2]);
        rows++;
      },
      complete: () => resolve(),
      error: (e) => reject(e),
    });
  });
  db.exec('COMMIT');
  const wallMs = ms(t0);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { wallMs, rows };
}

/** Baseline: SheetJS reads the workbook to arrays (nothing stored). */
export async function xlsxBaseline(a: { file: string }) {
  const t0 = process.hrtime.bigint();
  const wb = XLSX.read(fs.readFileSync(a.file), { type: 'buffer' });
  const rows = XLSX.utils.sheet_to_json<string[]>(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: false });
  const wallMs = ms(t0);
  return { wallMs, rows: rows.length - 1 };
}
