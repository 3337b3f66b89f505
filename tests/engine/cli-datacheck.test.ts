import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { cliHere as cli } from '../helpers/cli.ts';

describe('smsdesk campaign create: the data check', () => {
  it('refuses blank merge values in one sentence naming the rows and the options, then obeys --blank; names accents and foreign numbers', async () => {
    const dir = tempDir();
    const csv = path.join(dir, 'parcels.csv');
    fs.writeFileSync(csv, 'phone,Name\n08031234567,Ada\n08031234568,\n08031234569,Adéwálé\n+447400123456,Tom\n');
    expect((await cli(dir, ['import', csv, '--list', 'parcels'])).code).toBe(0);
    const text = 'Dear {Name}, your parcel is ready for collection at our Ikeja office until Friday.';
    /** `smsdesk [--json] campaign create --list parcels --from ACME --text TEXT` and the options given */
    const create = (options: string[], json = false) =>
      cli(dir, [
        ...(json ? ['--json'] : []),
        'campaign',
        'create',
        '--list',
        'parcels',
        '--from',
        'ACME',
        '--text',
        text,
        ...options,
      ]);

    const refused = await create([]);
    expect(refused.code).toBe(1);
    expect(refused.err.trim()).toMatch(
      /^[^.]*1 recipient has no \{Name\} \(row 3\): add a fallback to the text such as \{Name\|Customer\}, pass --blank skip to leave them out, or --blank send to send them the message with the gap\.$/,
    );
    expect((await cli(dir, ['campaign', 'list'])).out).toContain('No campaigns yet.');

    const bad = await create(['--blank', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--blank is `skip`/);

    const made = await create(['--blank', 'skip'], true);
    expect(made.code).toBe(0);
    const j = JSON.parse(made.out);
    expect(j.campaign.recipients).toBe(3);
    expect(j.dataCheck.blank[0]).toMatchObject({ field: 'Name', count: 1, rows: [3] });

    const said = await create(['--blank', 'send']);
    expect(said.code).toBe(0);
    expect(said.out).toContain('4 recipients');
    expect(said.out).toContain('Sent with the gap, as you chose: 1 recipient with a blank {Name} (row 3).');
    expect(said.out).toMatch(
      /1 recipient goes Unicode \(UCS-2\) because of accents in their own values \(á\): 1 extra part\(s\), about 4\.00 NGN\. Pass --accents strip/,
    );
    expect(said.out).toMatch(/1 recipient abroad: GB 1 at 4\.00 NGN per part \(a guess\)/);

    const plain = await create(['--blank', 'send', '--accents', 'strip'], true);
    expect(JSON.parse(plain.out).campaign.parts).toBe(4);
  });
});
