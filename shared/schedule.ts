/**
 * The one rule for a scheduled send, whoever asks (the command's --send-at, the Review page,
 * the engine): the date must exist, the time must not have passed, and the time zone is either
 * written or named back to the user. Date.parse is not used: it rolls 2026-02-30 over to
 * 2 March and reads a time without a zone as the machine's local time without a word.
 */

import { formatOffset, zoneLabel, zoneName } from './localTime.ts';

/** A time up to a minute old is "now": the Review page picks minutes, and a click takes a moment. */
export const SEND_AT_GRACE_MS = 60_000;

export type ZoneRule = 'required' | 'local';
export type SendAtCheck = { ok: true } | { ok: false; message: string };
export type SendAtParse =
  | {
      ok: true;
      at: number;
      /** set when no zone was written: which one was assumed, in words */ assumedZone: string | null;
    }
  | { ok: false; message: string };

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EXAMPLE = '2026-12-01T09:00+01:00';

/**
 * Refuses a send time that is not a real instant or has already passed. `show` writes a time
 * for the sentence: UTC by default; a page that shows local times passes its own.
 */
export function checkSendAt(at: number, now: number, show: (ms: number) => string = utc): SendAtCheck {
  if (!Number.isFinite(at))
    return { ok: false, message: `The send time is not a valid date. Write it like ${EXAMPLE}.` };
  if (at < now - SEND_AT_GRACE_MS) {
    return {
      ok: false,
      message: `The send time ${show(at)} has already passed (it is now ${show(now)}). Choose a time in the future, or send now.`,
    };
  }
  return { ok: true };
}

/** Reads a send time and applies checkSendAt: what the command line and any typed time go through. */
export function parseSendAt(text: string, opts: { now: number; zone: ZoneRule }): SendAtParse {
  const r = readSendAt(text, opts.zone);
  if (!r.ok) return r;
  const check = checkSendAt(r.at, opts.now);
  return check.ok ? r : check;
}

/**
 * Reads an ISO 8601 date and time, without looking at the clock. `'required'` (the command
 * line, where a server's clock may be UTC) refuses a time without a zone and says which to add;
 * `'local'` (a date picker, which has none) takes this computer's zone and says which it took.
 */
export function readSendAt(text: string, zoneRule: ZoneRule): SendAtParse {
  const s = String(text ?? '').trim();
  const m = ISO.exec(s);
  if (!m)
    return {
      ok: false,
      message: `The send time must be an ISO 8601 date and time such as ${EXAMPLE} (year-month-day, then hours:minutes and a time zone), not ${JSON.stringify(s)}.`,
    };
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const zone = m[8];
  if (mo < 1 || mo > 12) return { ok: false, message: `${s} has no month ${mo}: months go from 01 to 12.` };
  const days = daysInMonth(y, mo);
  if (d < 1 || d > days) return { ok: false, message: `${s} is not a date: ${MONTHS[mo - 1]} ${y} has ${days} days.` };
  if (h > 23 || mi > 59 || sec > 59)
    return {
      ok: false,
      message: `${s} is not a time of day: hours go from 00 to 23, minutes and seconds from 00 to 59.`,
    };

  let at: number;
  let assumedZone: string | null = null;
  if (zone) {
    const offset = zoneMinutes(zone);
    if (offset === null)
      return {
        ok: false,
        message: `${s} has a time zone that does not exist (${zone}): offsets go from -12:00 to +14:00.`,
      };
    at = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offset * 60_000;
  } else {
    const local = new Date(y, mo - 1, d, h, mi, sec, ms);
    at = local.getTime();
    if (zoneRule === 'required') {
      const off = formatOffset(-local.getTimezoneOffset());
      const base = s.replace(' ', 'T');
      return {
        ok: false,
        message: `${s} has no time zone. Add one: ${base}${off} for this computer's time zone (${zoneName()}), or ${base}Z for UTC.`,
      };
    }
    // A wall-clock time skipped when the clocks go forward comes back from Date as another hour.
    if (
      local.getFullYear() !== y ||
      local.getMonth() !== mo - 1 ||
      local.getDate() !== d ||
      local.getHours() !== h ||
      local.getMinutes() !== mi
    ) {
      return {
        ok: false,
        message: `${s} does not exist in this computer's time zone (${zoneName()}): the clocks go forward then. Choose another time.`,
      };
    }
    assumedZone = localZoneText(at);
  }
  return { ok: true, at, assumedZone };
}

/** "Africa/Lagos, UTC+01:00": the zone a picked time is read in, as the Review page names it. */
export function localZoneText(at: number): string {
  return zoneLabel(at);
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function daysInMonth(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function zoneMinutes(zone: string): number | null {
  if (zone.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = m[3] ? Number(m[3]) : 0;
  const total = hours * 60 + minutes;
  if (minutes > 59 || (m[1] === '+' ? total > 14 * 60 : total > 12 * 60)) return null;
  return m[1] === '+' ? total : -total;
}

function utc(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
