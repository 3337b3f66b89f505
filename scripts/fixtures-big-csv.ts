/**
 * Makes a big contact CSV in a temp folder (never committed) and, with --import, imports it
 * into a scratch database, printing time and memory. Not part of the test run:
 *   npx tsx scripts/fixtures-big-csv.ts [rows=1000000] [--import]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../electron/engine/db/open.ts';
import { createListsService } from '../electron/engine/lists/index.ts';

export function writeBigCsv(file: string, rows: number): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'First Name,Last Name,Phone,City\n');
  const forms = ['080', '+234 80', '234-80', '(080) '];
  let buf = '';
  for (let i = 0; i < rows; i++) {
    buf += `Adé${i},Okafor,${forms[i % 4]}${String(31_000_000 + (i % 9_000_000)).padStart(8, '0')},Lagos\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

async function main() {
  const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-big-'));
  const file = path.join(dir, `contacts-${rows}.csv`);
  writeBigCsv(file, rows);
  console.log(`wrote ${file} (${(fs.statSync(file).size / 1048576).toFixed(1)} MB)`);
  if (!process.argv.includes('--import')) return;
  const db = openDatabase(path.join(dir, 'bench.db'));
  if (process.env.CACHE_KB) db.pragma(`cache_size = -${Number(process.env.CACHE_KB)}`);
  const svc = createListsService({ db, settings: { get: () => 'NG' } });
  const base = process.memoryUsage();
  let peakHeap = 0,
    peakRss = 0;
  const t0 = performance.now();
  const report = await svc.lists.import(
    file,
    { list: 'Big' },
    {
      onProgress() {
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed);
        peakRss = Math.max(peakRss, m.rss);
      },
    },
  );
  const importMs = performance.now() - t0;
  const t1 = performance.now();
  await svc.lists.delete(report.list.id);
  const deleteMs = performance.now() - t1;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const mb = (n: number) => Math.round(n / 1048576);
  console.log(
    JSON.stringify({
      rows,
      valid: report.valid,
      importMs: Math.round(importMs),
      rowsPerSec: Math.round(rows / (importMs / 1000)),
      heapMB: { before: mb(base.heapUsed), peak: mb(peakHeap) },
      rssMB: { before: mb(base.rss), peak: mb(peakRss) },
      deleteMs: Math.round(deleteMs),
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
