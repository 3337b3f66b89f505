/**
 * A big export no longer holds the engine's thread: the rows are read a page at a time with the
 * event loop turning between pages, so a campaign sends and every other call is answered while
 * the file is written, and the file still holds each recipient once, in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { EXPORT_PAGE } from '../../electron/engine/tableFile.ts';
import { engineWithSandbox, makeList, numbers, waitFor } from '../helpers/engine.ts';

describe('exports in pages', () => {
  it('a 12,000-recipient export lets a send go on and calls be answered, and holds every recipient once', async () => {
    const t = await engineWithSandbox({ settings: { 'rate.requestsPerSecond': 50, 'rate.recipientsPerRequest': 10 } });
    try {
      const { engine } = t;
      const N = 12_000;
      expect(N).toBeGreaterThan(EXPORT_PAGE * 5);
      makeList(
        engine,
        'big',
        numbers(N).map((phone, i) => ({ phone, name: `N${i}` })),
      );
      makeList(
        engine,
        'live',
        numbers(2_000, N).map((phone) => ({ phone })),
      );
      const big = await engine.campaigns.create({ list: 'big', from: 'ACME', text: 'Hello {name}' });
      const live = await engine.campaigns.create({ list: 'live', from: 'ACME', text: 'Sale today' });
      engine.campaigns.send(live.id);
      engine.start();
      await waitFor(() => engine.campaigns.status(live.id).counts.accepted > 0, 'the live campaign to start sending');

      for (const format of ['csv', 'xlsx'] as const) {
        const file = path.join(t.dataDir, `big.${format}`);
        // calls made from a timer while the export runs are answered before it ends: the engine's
        // thread was not held (one synchronous pass answered none of them)
        let answered = 0;
        let exporting = true;
        const tick = setInterval(() => {
          if (exporting && engine.campaigns.status(live.id).recipients === 2_000) answered++;
        }, 1);
        const r = await engine.campaigns.export(big.id, file, format);
        exporting = false;
        clearInterval(tick);
        expect(r.rows).toBe(N);
        expect(answered, `${format}: calls answered while the file was written`).toBeGreaterThan(0);

        const seqs =
          format === 'csv'
            ? fs
                .readFileSync(file, 'utf8')
                .slice(1)
                .split('\r\n')
                .slice(1, -1)
                .map((l) => Number(l.split(',')[0]))
            : XLSX.utils
                .sheet_to_json<unknown[]>(XLSX.read(fs.readFileSync(file)).Sheets.Results!, { header: 1, raw: true })
                .slice(1)
                .map((row) => row[0] as number);
        expect(seqs).toEqual(Array.from({ length: N }, (_, i) => i + 1));
      }
      await engine.waitIdle(live.id);
      expect(engine.campaigns.status(live.id).state).toBe('completed');
    } finally {
      await t.close();
    }
  }, 120_000);
});
