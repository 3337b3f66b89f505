import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { createHandlers } from '../../electron/handlers/index.ts';
import { makeList, numbers, tempDir } from '../helpers/engine.ts';

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function engineOf() {
  const engine = await createEngine({ dataDir: tempDir(), secrets: createMemorySecrets(null), env: {} });
  close = () => engine.close();
  engine.settings.set('price.perPart', 4);
  return engine;
}

// 144 characters of plain GSM-7 around the name: one part for Ada, three once Adéwálé makes it UCS-2
const LONG =
  'Hello {First Name}, your order 55123 has left our Lagos warehouse and will reach you within two working days. Reply STOP to opt out of them now.';

describe('data check: blank merge values', () => {
  it('counts blank values by field with their rows, and create refuses until the user chooses', async () => {
    const engine = await engineOf();
    const nums = numbers(5);
    makeList(
      engine,
      'parcels',
      nums.map((phone, i) => ({ phone, Name: ['Ada', '', 'Chi', '  ', 'Eze'][i] })),
    );
    const text = 'Dear {Name}, your parcel is ready.';
    const p = engine.campaigns.preview({ list: 'parcels', text });
    expect(p.blankRecipients).toBe(2);
    expect(p.blank).toEqual([
      {
        field: 'Name',
        count: 2,
        rows: [3, 5],
        sample: [
          { row: 3, msisdn: nums[1] },
          { row: 5, msisdn: nums[3] },
        ],
      },
    ]);
    expect(p.recipients).toBe(5);

    await expect(engine.campaigns.create({ list: 'parcels', from: 'ACME', text })).rejects.toThrow(
      /2 recipients have no \{Name\} \(rows 3, 5\).*\{Name\|Customer\}.*leave those recipients out.*send to them anyway/,
    );
    expect(engine.campaigns.list()).toHaveLength(0); // nothing half-created

    const skipped = engine.campaigns.preview({ list: 'parcels', text, blank: 'skip' });
    expect(skipped.recipients).toBe(3);
    expect(skipped.cost).toBe(12);
    const c = await engine.campaigns.create({ list: 'parcels', from: 'ACME', text, blank: 'skip' });
    expect(c.recipients).toBe(3);
    const sent = engine.campaigns.messages(c.id, { offset: 0, limit: 10 }).rows.map((m) => m.text);
    expect(sent).toEqual([
      'Dear Ada, your parcel is ready.',
      'Dear Chi, your parcel is ready.',
      'Dear Eze, your parcel is ready.',
    ]);

    const anyway = await engine.campaigns.create({ list: 'parcels', from: 'ACME', text, blank: 'send' });
    expect(anyway.recipients).toBe(5);
    expect(engine.campaigns.messages(anyway.id, { offset: 1, limit: 1 }).rows[0].text).toBe(
      'Dear , your parcel is ready.',
    );

    // a fallback in the text answers the check: nothing blank is left
    const withFallback = engine.campaigns.preview({
      list: 'parcels',
      text: 'Dear {Name|Customer}, your parcel is ready.',
    });
    expect(withFallback.blankRecipients).toBe(0);
    const fb = await engine.campaigns.create({
      list: 'parcels',
      from: 'ACME',
      text: 'Dear {Name|Customer}, your parcel is ready.',
    });
    expect(engine.campaigns.messages(fb.id, { offset: 1, limit: 1 }).rows[0].text).toBe(
      'Dear Customer, your parcel is ready.',
    );
  });

  it('still blocks an unknown field whatever the blank choice', async () => {
    const engine = await engineOf();
    makeList(
      engine,
      'parcels',
      numbers(2).map((phone) => ({ phone, Name: '' })),
    );
    await expect(
      engine.campaigns.create({ list: 'parcels', from: 'ACME', text: 'Hi {Nmae}', blank: 'send' }),
    ).rejects.toThrow(/Unknown merge field \{Nmae\}/);
  });
});

describe('data check: cost per cause', () => {
  it('puts the extra parts of accented names on those recipients, and strips the accents only when asked', async () => {
    expect(LONG).toHaveLength(144);
    expect(LONG.replace('{First Name}', 'Ada').length).toBeLessThanOrEqual(160);
    const engine = await engineOf();
    const names = ['Ada', 'Adéwálé', 'Bola', 'Ọláṣeun', 'Adéwálé', 'Tunde', 'Musa', 'Grace'];
    makeList(
      engine,
      'names',
      numbers(names.length).map((phone, i) => ({ phone, 'First Name': names[i] })),
    );
    const p = engine.campaigns.preview({ list: 'names', text: LONG });
    expect(p.typicalParts).toBe(1);
    expect(p.overTypical).toBe(3);
    expect(p.longValues).toBe(0); // not "long merge-field values": it is the accents
    expect(p.accents.recipients).toBe(3);
    expect(p.accents.extraParts).toBe(6); // 3 parts instead of 1, three times
    expect(p.accents.extraCost).toBe(24);
    expect(p.accents.chars.map((c) => c.shown)).toEqual(expect.arrayContaining(['á', 'Ọ', 'ṣ']));
    expect(p.accents.chars.map((c) => c.shown)).not.toContain('é'); // é is GSM-7
    expect(p.accents.sample[0]).toMatchObject({
      row: 3,
      field: 'First Name',
      value: 'Adéwálé',
      plain: 'Adéwalé',
      parts: 3,
      plainParts: 1,
    });
    expect(p.totalParts).toBe(5 + 3 * 3);
    expect(p.languages).toEqual([]);

    const plain = engine.campaigns.preview({ list: 'names', text: LONG, accents: 'strip' });
    expect(plain.totalParts).toBe(8);
    expect(plain.cost).toBe(32);
    expect(plain.accents).toMatchObject({ recipients: 3, extraParts: 6, stripped: true });
    const c = await engine.campaigns.create({ list: 'names', from: 'ACME', text: LONG, accents: 'strip' });
    expect(c.parts).toBe(8);
    expect(engine.campaigns.messages(c.id, { offset: 3, limit: 1 }).rows[0].text).toContain('Hello Olaseun,');
    const kept = await engine.campaigns.create({ list: 'names', from: 'ACME', text: LONG });
    expect(kept.parts).toBe(14);
  });

  it('treats a message written in Yoruba as Yoruba: no accent choice, names keep their marks', async () => {
    const engine = await engineOf();
    makeList(
      engine,
      'names',
      numbers(2).map((phone, i) => ({ phone, Name: ['Adéwálé', 'Bola'][i] })),
    );
    const text = 'Ẹ kú àárọ̀ {Name}, ẹrù yín ti dé.';
    const p = engine.campaigns.preview({ list: 'names', text, accents: 'strip' });
    expect(p.languages).toEqual(['Yoruba']);
    expect(p.accents.recipients).toBe(0);
    const c = await engine.campaigns.create({ list: 'names', from: 'ACME', text, accents: 'strip' });
    expect(engine.campaigns.messages(c.id, { offset: 0, limit: 1 }).rows[0].text).toBe(
      'Ẹ kú àárọ̀ Adéwálé, ẹrù yín ti dé.',
    );
  });

  it('prices foreign numbers per country, guessing at the Nigerian price until one is set', async () => {
    const engine = await engineOf();
    const rows = [
      ...numbers(3).map((phone) => ({ phone, Name: 'Ada' })),
      { phone: '+447400123456', Name: 'Tom' },
      { phone: '+233241234567', Name: 'Kofi' },
    ];
    makeList(engine, 'mixed', rows);
    const p = engine.campaigns.preview({ list: 'mixed', text: 'Hi {Name}' });
    expect(p.destinations).toEqual([
      { country: 'GB', recipients: 1, parts: 1, pricePerPart: 4, guessed: true, cost: 4 },
      { country: 'GH', recipients: 1, parts: 1, pricePerPart: 4, guessed: true, cost: 4 },
    ]);
    engine.settings.set('price.perCountry', '{"GB": 30}');
    const q = engine.campaigns.preview({ list: 'mixed', text: 'Hi {Name}' });
    expect(q.destinations[0]).toMatchObject({ country: 'GB', pricePerPart: 30, guessed: false, cost: 30 });
    expect(q.cost).toBe(3 * 4 + 30 + 4);
    expect(() => engine.settings.set('price.perCountry', '{"uk": 30}')).toThrow(/two-letter code in capitals/);
  });
});

describe('data check through the IPC contract', () => {
  it('carries the choices and the findings across, and refuses a choice it does not know in a sentence', async () => {
    const engine = await engineOf();
    const nums = numbers(2);
    makeList(engine, 'parcels', [
      { phone: nums[0], Name: '' },
      { phone: nums[1], Name: 'Adéwálé' },
    ]);
    const h = createHandlers(engine, {
      mode: 'web',
      version: '0.0.0',
      platform: 'linux',
      files: { savePath: async () => null, deliver: async (file: string) => ({ path: file, downloadUrl: null }) },
    });
    const text = 'Dear {Name}, your parcel is ready for collection at our Ikeja office until Friday.';
    const p = await h['campaigns.preview']({ list: 'parcels', text, blank: 'skip', accents: 'strip' });
    expect(p.ok && p.value).toMatchObject({
      recipients: 1,
      blankRecipients: 1,
      blank: [{ field: 'Name', rows: [2] }],
      accents: { recipients: 1, stripped: true },
    });
    const bad = await h['campaigns.create']({ list: 'parcels', from: 'ACME', text, blank: 'maybe' } as never);
    expect(bad.ok ? null : bad.error).toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/skip or send/),
    });
    const refused = await h['campaigns.create']({ list: 'parcels', from: 'ACME', text });
    expect(refused.ok ? null : refused.error).toMatchObject({
      code: 'BLANK_VALUES',
      message: expect.stringMatching(/1 recipient has no \{Name\} \(row 2\)/),
    });
    const made = await h['campaigns.create']({ list: 'parcels', from: 'ACME', text, blank: 'skip', accents: 'strip' });
    expect(made.ok && made.value).toMatchObject({ recipients: 1, parts: 1 });
  });
});
