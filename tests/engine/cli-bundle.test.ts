import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/engine.ts';

// The built command (dist-node/smsdesk.cjs) holds stand-ins for SheetJS, libphonenumber and
// papaparse that load them from dist-node/smsdesk-deps.cjs on first use (scripts/build-node.mjs),
// so a start that reads no spreadsheet never pays for them. The tests that run the engine from
// source never go through those stand-ins: this one does, with each package doing real work.
describe('the built smsdesk command', () => {
  it('imports a CSV, exports the campaign as XLSX and imports that sheet again with the same numbers', async () => {
    const dir = tempDir('smsdesk-cli-bundle-');
    const dataDir = path.join(dir, 'data');
    const run = async (args: string[]) => {
      const r = await cli(dataDir, args).done;
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out);
    };
    const csv = path.join(dir, 'people.csv');
    fs.writeFileSync(csv, 'phone,first_name\n08031234567,Ada\n0805 123 4568,Bola\n12345,Chidi\n');

    const first = await run(['import', csv, '--list', 'people']);
    expect(first).toMatchObject({ rows: 3, valid: 2, invalid: 1 });
    const created = await run([
      'campaign',
      'create',
      '--list',
      'people',
      '--from',
      'ACME',
      '--text',
      'Hi {first_name}',
    ]);
    const sheet = path.join(dir, 'people.xlsx');
    expect(await run(['export', String(created.campaign.id), '--out', sheet])).toMatchObject({ rows: 2 });
    // a real XLSX: a zip (PK), which the import reads back through SheetJS
    expect(fs.readFileSync(sheet).subarray(0, 2).toString('latin1')).toBe('PK');
    const again = await run(['import', sheet, '--list', 'again', '--phone-column', 'msisdn']);
    expect(again).toMatchObject({ rows: 2, valid: 2, invalid: 0, duplicates: 0 });

    const { lists } = await run(['lists']);
    expect(lists).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'people', contacts: 2 }),
        expect.objectContaining({ name: 'again', contacts: 2 }),
      ]),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
