/**
 * The app quitting mid-export (engine.close() while the rows are still being read) stops the
 * export with a sentence that says so and what to do, not the advice for a folder that cannot be
 * written, and leaves nothing at the destination: the same export works after a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../electron/engine/errors.ts';
import { EXPORT_PAGE } from '../../electron/engine/tableFile.ts';
import { makeList, numbers, tempDir, useEngines, type TestEngine } from '../helpers/engine.ts';

const open = useEngines();
const N = 20_000;

describe('an export cut off by the app closing', () => {
  it('says SMS Desk closed, not "Choose another folder", leaves no file, and works after a restart', async () => {
    expect(N).toBeGreaterThan(EXPORT_PAGE * 5);
    const dataDir = tempDir();
    const out = tempDir('smsdesk-export-to-');
    try {
      let engine = await open(dataDir);
      makeList(
        engine,
        'big',
        numbers(N).map((phone, i) => ({ phone, name: `N${i}` })),
      );
      // as many rows the import refused: the rejected-rows export is as long
      const bad = makeList(
        engine,
        'bad',
        Array.from({ length: N }, (_, i) => ({ phone: `not a number ${i}` })),
      );
      const { id } = await engine.campaigns.create({ list: 'big', from: 'ACME', text: 'Hello {name}' });
      // closed and opened again, as the app would be: an engine that has just written 40,000 rows
      // also winds down its checkpoint thread on close, long enough for a small export to finish
      await engine.close();
      engine = await open(dataDir);
      const exports: Array<
        [string, (e: TestEngine, file: string, format: 'csv' | 'xlsx') => Promise<{ rows: number }>]
      > = [
        ['campaign results', (e, file, format) => e.campaigns.export(id, file, format)],
        ['rejected rows', (e, file, format) => e.lists.exportRejects(bad.list.id, file, format)],
      ];

      for (const [what, run] of exports)
        for (const format of ['csv', 'xlsx'] as const) {
          const label = `${what}, ${format}`;
          const target = path.join(out, `export.${format}`);
          const exporting = run(engine, target, format).then(
            () => null,
            (e: unknown) => e,
          );
          // the export has begun writing (its temporary file is there) when the app quits
          while (!fs.readdirSync(out).some((f) => f.endsWith('.tmp'))) await nextTurn();
          await engine.close();
          const err = await exporting;
          expect(err, `${label}: the export was cut off`).toBeInstanceOf(UserError);
          expect((err as UserError).message, label).toBe(
            `SMS Desk closed before ${target} was written: export it again after SMS Desk restarts.`,
          );
          expect(fs.readdirSync(out), `${label}: nothing left at the destination`).toEqual([]);

          // the advice holds: after a restart the same export is whole
          engine = await open(dataDir);
          expect((await run(engine, target, format)).rows, label).toBe(N);
          fs.rmSync(target);
        }

      // a folder that really cannot be written keeps its advice
      const notAFolder = path.join(out, 'file.txt');
      fs.writeFileSync(notAFolder, 'x');
      const err = await engine.campaigns
        .export(id, path.join(notAFolder, 'export.csv'), 'csv')
        .catch((e: unknown) => e);
      expect((err as UserError).message).toMatch(/^Could not write .*: EEXIST: .*\. Choose another folder\.$/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
