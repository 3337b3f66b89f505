/**
 * Times for people: the machine's zone (TZ here, as a user's computer sets it), never UTC text.
 * Expected values are written out by hand for each zone, not computed by the code under test.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { excelLocalSerial, localDateTime, localStamp, zoneLabel } from '../../shared/localTime.ts';

const saved = process.env.TZ;
afterAll(() => {
  process.env.TZ = saved;
});
const AT = Date.UTC(2026, 11, 1, 7, 25, 49, 813); // 2026-12-01T07:25:49.813Z
const JULY = Date.UTC(2026, 6, 1, 7, 25, 49, 999);

describe.each([
  ['Africa/Lagos', '2026-12-01 08:25:49 +01:00', '2026-07-01 08:25:49 +01:00', /^Africa\/Lagos, UTC\+01:00$/],
  ['UTC', '2026-12-01 07:25:49 +00:00', '2026-07-01 07:25:49 +00:00', /^(Etc\/)?UTC, UTC\+00:00$/],
  // ICU may name it by its old name
  [
    'Asia/Kolkata',
    '2026-12-01 12:55:49 +05:30',
    '2026-07-01 12:55:49 +05:30',
    /^Asia\/(Kolkata|Calcutta), UTC\+05:30$/,
  ],
  // daylight saving: the offset is the one of that day
  ['America/New_York', '2026-12-01 02:25:49 -05:00', '2026-07-01 03:25:49 -04:00', /^America\/New_York, UTC-05:00$/],
] as Array<[string, string, string, RegExp]>)('TZ=%s', (tz, december, july, label) => {
  it('local stamp with the offset of that instant; minutes for names; the zone named', () => {
    process.env.TZ = tz;
    expect(localStamp(AT)).toBe(december);
    expect(localStamp(JULY)).toBe(july);
    expect(localDateTime(AT)).toBe(december.slice(0, 16));
    expect(zoneLabel(AT)).toMatch(label);
  });

  it('an Excel serial of the local wall clock, to the second', () => {
    process.env.TZ = tz;
    // the serial of the wall-clock text, read as if it were UTC: days since 1899-12-30
    const [d, t] = december.split(' ');
    const wall = Date.parse(`${d}T${t}Z`);
    expect(excelLocalSerial(AT)).toBe(wall / 86_400_000 + 25_569);
  });
});

it('Excel serial anchors: 1900-01-01 is day 1 ... 2026-12-01 00:00 in Lagos is 46357', () => {
  process.env.TZ = 'Africa/Lagos';
  expect(excelLocalSerial(Date.UTC(2026, 10, 30, 23, 0, 0))).toBe(46357);
});
