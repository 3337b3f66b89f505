import { describe, expect, it } from 'vitest';
import { checkSendAt, localZoneText, parseSendAt, readSendAt } from '../../shared/schedule.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0); // 20 Nov 2026 12:00 UTC

describe('send time: one rule for the command, the Review page and the engine', () => {
  it.each([
    ['2026-12-01T09:00:00Z', Date.UTC(2026, 11, 1, 9, 0)],
    ['2026-12-01T09:00+01:00', Date.UTC(2026, 11, 1, 8, 0)],
    ['2026-12-01 09:30:15.5-0500', Date.UTC(2026, 11, 1, 14, 30, 15, 500)],
    ['2028-02-29T07:00Z', Date.UTC(2028, 1, 29, 7, 0)],
  ])('reads %s with its zone', (text, at) => {
    expect(parseSendAt(text, { now: NOW, zone: 'required' })).toEqual({ ok: true, at, assumedZone: null });
  });

  it.each([
    ['2026-02-30T09:00:00Z', /February 2026 has 28 days/],
    ['2027-02-29T09:00Z', /February 2027 has 28 days/],
    ['2026-04-31T09:00Z', /April 2026 has 30 days/],
    ['2026-13-01T09:00Z', /no month 13/],
    ['2026-12-01T24:00Z', /not a time of day/],
    ['2026-12-01T09:60Z', /not a time of day/],
    ['2026-12-01T09:00+15:00', /time zone that does not exist/],
    ['tomorrow 9am', /ISO 8601 date and time such as/],
    ['2026-12-01', /ISO 8601 date and time such as/],
  ])('refuses %s, saying why', (text, why) => {
    const r = parseSendAt(text, { now: NOW, zone: 'required' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(why);
  });

  it("asks for a zone on the command line, offering this computer's and UTC", () => {
    const r = parseSendAt('2026-12-01T09:00', { now: NOW, zone: 'required' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const local = new Date(2026, 11, 1, 9, 0);
      const off = -local.getTimezoneOffset();
      const sign = off < 0 ? '-' : '+';
      const hh = String(Math.floor(Math.abs(off) / 60)).padStart(2, '0'),
        mm = String(Math.abs(off) % 60).padStart(2, '0');
      expect(r.message).toContain(`2026-12-01T09:00${sign}${hh}:${mm} for this computer's time zone`);
      expect(r.message).toContain('2026-12-01T09:00Z for UTC');
    }
  });

  it("takes the computer's zone for a picked time and names it", () => {
    const r = readSendAt('2026-12-01T09:00', 'local');
    expect(r).toEqual({
      ok: true,
      at: new Date(2026, 11, 1, 9, 0).getTime(),
      assumedZone: localZoneText(new Date(2026, 11, 1, 9, 0).getTime()),
    });
    expect(localZoneText(NOW)).toMatch(/, UTC[+-]\d{2}:\d{2}$/);
  });

  it('refuses a picked time that the clocks skip, naming the zone', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Europe/London'; // Node re-reads the zone when TZ changes
    try {
      const r = readSendAt('2026-03-29T01:30', 'local');
      expect(r).toMatchObject({
        ok: false,
        message: expect.stringMatching(
          /does not exist in this computer's time zone \(Europe\/London\): the clocks go forward/,
        ),
      });
      expect(readSendAt('2026-03-29T02:30', 'local')).toMatchObject({
        ok: true,
        at: Date.UTC(2026, 2, 29, 1, 30),
        assumedZone: 'Europe/London, UTC+01:00',
      });
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('refuses a time that has passed, for any zone, but not one picked a moment ago', () => {
    const past = parseSendAt('2026-11-20T11:00Z', { now: NOW, zone: 'required' });
    expect(past).toMatchObject({
      ok: false,
      message: expect.stringMatching(/2026-11-20 11:00 UTC has already passed \(it is now 2026-11-20 12:00 UTC\)/),
    });
    expect(parseSendAt('2026-11-20T12:00+01:00', { now: NOW, zone: 'required' }).ok).toBe(false);
    expect(checkSendAt(NOW - 30_000, NOW)).toEqual({ ok: true });
    expect(checkSendAt(NOW - 5 * 60_000, NOW).ok).toBe(false);
    expect(checkSendAt(NOW - 3_600_000, NOW, (ms) => `${new Date(ms).getUTCHours()} o'clock`)).toEqual({
      ok: false,
      message:
        "The send time 11 o'clock has already passed (it is now 12 o'clock). Choose a time in the future, or send now.",
    });
    expect(checkSendAt(Number.NaN, NOW)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not a valid date/),
    });
  });
});
