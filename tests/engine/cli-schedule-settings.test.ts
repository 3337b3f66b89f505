/**
 * The command line's --send-at and `config set`, in this process against a real data folder:
 * each refusal is one sentence that says what to write instead, and nothing is stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineWithSandbox, makeList, numbers, tempDir } from '../helpers/engine.ts';
import { cliHere } from '../helpers/cli.ts';

let dataDir: string;

const cli = (args: string[]) => cliHere(dataDir, args);

async function campaigns(): Promise<Array<{ name: string; sendAt: string | null; schedule: string | null }>> {
  const r = await cli(['campaign', 'list', '--json']);
  return JSON.parse(r.out).campaigns;
}

/** an ISO time `hours` from now, written in UTC or with a +01:00 offset */
function inHours(hours: number, zone: 'Z' | '+01:00' = 'Z'): string {
  const at = new Date(Date.now() + hours * 3_600_000);
  if (zone === 'Z') return at.toISOString().slice(0, 16) + 'Z';
  return new Date(at.getTime() + 3_600_000).toISOString().slice(0, 16) + '+01:00';
}

beforeAll(async () => {
  dataDir = tempDir('smsdesk-cli-sched-');
  const csv = path.join(dataDir, 'team.csv');
  fs.writeFileSync(csv, ['phone,name', ...numbers(3).map((n, i) => `0${n.slice(3)},Ada${i}`)].join('\n') + '\n');
  expect((await cli(['import', csv, '--list', 'Team'])).code).toBe(0);
});

const create = (...extra: string[]) =>
  cli(['campaign', 'create', '--list', 'Team', '--from', 'ACME', '--text', 'Hello', ...extra]);

describe('--send-at', () => {
  it.each([
    [
      'a day February does not have',
      ['--send-at', '2027-02-30T09:00:00Z'],
      /--send-at: 2027-02-30T09:00:00Z is not a date: February 2027 has 28 days/,
    ],
    ['the 31st of a 30-day month', ['--send-at', '2027-06-31T09:00+01:00'], /June 2027 has 30 days/],
    [
      'a time without a zone',
      ['--send-at', '2027-06-01T09:00'],
      /has no time zone\. Add one: 2027-06-01T09:00[+-]\d{2}:\d{2} for this computer's time zone .*, or 2027-06-01T09:00Z for UTC/,
    ],
    [
      'a past time, held here',
      ['--send-at', inHours(-2), '--schedule', 'local'],
      /has already passed \(it is now .* UTC\)\. Choose a time in the future, or send now/,
    ],
    [
      'a past time, held by the gateway',
      ['--send-at', inHours(-2, '+01:00'), '--schedule', 'gateway'],
      /has already passed/,
    ],
    ['an empty value', ['--send-at', ''], /ISO 8601 date and time such as/],
  ])('refuses %s, and creates nothing', async (_name, extra, why) => {
    const r = await create(...extra);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(why);
    expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(await campaigns()).toEqual([]);
  });

  it('takes a future time with its zone, for both schedules', async () => {
    const local = await create('--send-at', inHours(26, '+01:00'), '--schedule', 'local', '--name', 'held here');
    const gateway = await create('--send-at', inHours(26), '--schedule', 'gateway', '--name', 'held there');
    expect([local.code, gateway.code]).toEqual([0, 0]);
    const byName = Object.fromEntries((await campaigns()).map((c) => [c.name, c]));
    const expected = new Date(Date.parse(inHours(26))).toISOString();
    expect(byName['held here']).toMatchObject({ sendAt: expected, schedule: 'local' });
    expect(byName['held there']).toMatchObject({ sendAt: expected, schedule: 'gateway' });
  });
});

describe('the engine applies the same rule to the app and web mode', () => {
  let t: Awaited<ReturnType<typeof engineWithSandbox>>;
  beforeAll(async () => {
    t = await engineWithSandbox();
    makeList(
      t.engine,
      'L',
      numbers(2).map((phone) => ({ phone })),
    );
  });
  afterAll(async () => {
    await t?.engine.close();
    await t?.sandbox.close();
  });

  it.each(['local', 'gateway'] as const)(
    'refuses a past send time held by %s, and stores no campaign',
    async (schedule) => {
      await expect(
        t.engine.campaigns.create({ list: 'L', from: 'ACME', text: 'x', sendAt: Date.now() - 3_600_000, schedule }),
      ).rejects.toThrow(
        expect.objectContaining({ code: 'BAD_SCHEDULE', message: expect.stringMatching(/has already passed/) }),
      );
      expect(t.engine.campaigns.list()).toEqual([]);
    },
  );
});

describe('config set: plain decimal numbers within bounds', () => {
  it.each([
    [
      'rate.requestsPerSecond',
      '1e-300',
      /The number of requests sent to the gateway per second must be a plain number from 0\.01 to 10000/,
    ],
    [
      'rate.requestsPerSecond',
      '0x10',
      /requests sent to the gateway per second must be a plain number from 0\.01 to 10000/,
    ],
    ['rate.requestsPerSecond', 'Infinity', /from 0\.01 to 10000/],
    ['rate.requestsPerSecond', '0', /from 0\.01 to 10000/],
    ['rate.maxInFlight', '0x10', /requests waiting for an answer at once must be a whole number from 1 to 64/],
    ['rate.recipientsPerRequest', '1e2', /recipients in one request must be a whole number from 1 to 10000/],
    [
      'gateway.answerTimeoutMs',
      '2.5',
      /time allowed for the gateway to answer, in milliseconds must be a whole number from 100 to 3600000/,
    ],
  ])('refuses %s = %s with the setting in words and its range, keeping the old value', async (key, value, why) => {
    const before = JSON.parse((await cli(['config', 'get', key, '--json'])).out);
    const r = await cli(['config', 'set', key, value]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(new RegExp(`Setting ${key.replace('.', '\\.')} cannot be "${value}"`));
    expect(r.err).toMatch(why);
    expect(JSON.parse((await cli(['config', 'get', key, '--json'])).out)).toEqual(before);
  });

  it('takes plain decimals, with or without a fraction', async () => {
    expect((await cli(['config', 'set', 'rate.requestsPerSecond', '0.5'])).code).toBe(0);
    expect((await cli(['config', 'set', 'rate.maxInFlight', ' 4 '])).code).toBe(0);
    const all = JSON.parse((await cli(['config', 'list', '--json'])).out).settings;
    expect(all).toMatchObject({ 'rate.requestsPerSecond': 0.5, 'rate.maxInFlight': 4 });
  });
});
