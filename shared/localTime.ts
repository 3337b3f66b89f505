/**
 * Times as the user reads them: in the zone of the machine showing them (the engine runs in Node
 * on the user's computer, so its default zone is theirs; the renderer uses the browser's). Set TZ
 * to see another zone. UTC ISO text (2026-12-01T07:25:49.813Z) is for machines, never for people.
 */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The zone's offset from UTC at that instant, in minutes (+60 in Lagos). */
export function localOffsetMinutes(at: number): number {
  return -new Date(at).getTimezoneOffset();
}

/** "+01:00", "-05:00", "+05:30". */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "2026-12-01 08:25" (or with seconds) in local time, no zone. */
export function localDateTime(at: number, opts: { seconds?: boolean } = {}): string {
  const d = new Date(at);
  const hm = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return opts.seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

/** "2026-12-01 08:25:49 +01:00": local time that still names its instant (CSV exports). */
export function localStamp(at: number): string {
  return `${localDateTime(at, { seconds: true })} ${formatOffset(localOffsetMinutes(at))}`;
}

/** The zone's name ("Africa/Lagos"), or "local time" where the runtime has none. */
export function zoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
  } catch {
    return 'local time';
  }
}

/** "Africa/Lagos, UTC+01:00": how a page names the zone its times are in. */
export function zoneLabel(at: number): string {
  return `${zoneName()}, UTC${formatOffset(localOffsetMinutes(at))}`;
}

/**
 * An Excel date serial (days since 1899-12-30, the 1900 system) for the local wall-clock time of
 * `at`: Excel dates carry no zone, so a cell shows what the serial says, which must be the user's
 * own time. Milliseconds are dropped (formats show seconds; a rounded-up 59.9 s would read 60).
 */
export function excelLocalSerial(at: number): number {
  const wall = Math.floor(at / 1000) * 1000 + localOffsetMinutes(at) * 60_000;
  return wall / 86_400_000 + 25_569;
}
