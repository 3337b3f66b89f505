/**
 * An Excel cell holds 32,767 characters and Excel calls a file with a longer one damaged, so the
 * XLSX export cuts such a cell (xlsxWrite.ts); the person exporting is told, with the way to get
 * the whole text (CSV). Through the command here; the app shows the same sentence (cutCellsNote).
 * An import refuses a cell that long, so the test writes one where nothing checks its length
 * today: a message's reason (a gateway's report text, say).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { cliHere as cli } from '../helpers/cli.ts';

describe('smsdesk export: cells longer than Excel holds', () => {
  it('cuts them in XLSX and says so, pointing to CSV; the CSV keeps the whole text and says nothing', async () => {
    const dir = tempDir();
    const csv = path.join(dir, 'notes.csv');
    const long = 'n'.repeat(40_000);
    fs.writeFileSync(csv, `phone,Name\n08031234567,Ada\n08031234568,Bayo\n`);
    expect((await cli(dir, ['import', csv, '--list', 'notes'])).code).toBe(0);
    const made = await cli(dir, [
      '--json',
      'campaign',
      'create',
      '--list',
      'notes',
      '--from',
      'ACME',
      '--text',
      'Hi {Name}',
    ]);
    expect(made.code, made.err).toBe(0);
    const id = String(JSON.parse(made.out).campaign.id);
    const db = new Database(path.join(dir, 'smsdesk.db'));
    db.prepare(`UPDATE messages SET reason = ? WHERE seq = 1`).run(long);
    db.close();

    const xlsx = path.join(dir, 'out.xlsx');
    const x = await cli(dir, ['export', id, '--out', xlsx]);
    expect(x.code, x.err).toBe(0);
    expect(x.out.split('\n')[0]).toBe(
      `2 rows written to ${xlsx}. 1 cell was longer than an Excel cell holds (32,767 characters) and was cut: export as CSV for the whole text.`,
    );
    const sheet = XLSX.read(fs.readFileSync(xlsx)).Sheets.Results!;
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(sheet, { raw: true });
    expect(String(rows[0].reason).length).toBe(32_767);
    expect(rows[1].reason).toBeUndefined();

    const out = path.join(dir, 'out.csv');
    const c = await cli(dir, ['export', id, '--out', out]);
    expect(c.out.split('\n')[0]).toBe(`2 rows written to ${out}.`);
    expect(fs.readFileSync(out, 'utf8')).toContain(long);
  });
});
