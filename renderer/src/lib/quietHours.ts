/**
 * Nigerian operators block promotional SMS between 20:00 and 08:00 (NCC rule). The check uses the
 * user's local clock: the desk and its recipients share a time zone in practice.
 */
export const QUIET_START_HOUR = 20;
export const QUIET_END_HOUR = 8;

export function isQuietHour(at: Date): boolean {
  const h = at.getHours();
  return h >= QUIET_START_HOUR || h < QUIET_END_HOUR;
}

/** One sentence to show beside the send button, or null when the send time is fine. */
export function quietHoursWarning(sendAt: number | null, now: number): string | null {
  const when = new Date(sendAt ?? now);
  if (!isQuietHour(when)) return null;
  const hhmm = `${String(when.getHours()).padStart(2, '0')}:${String(when.getMinutes()).padStart(2, '0')}`;
  const subject = sendAt == null ? `It is ${hhmm} now` : `This is scheduled for ${hhmm}`;
  return `${subject}: operators block promotional SMS between 20:00 and 08:00, so promotional messages may be dropped. Schedule for after 08:00 unless this is a transactional message.`;
}

/** The next 08:00 after `now`, for the "schedule for the morning" shortcut. */
export function nextMorning(now: number): number {
  const d = new Date(now);
  d.setHours(QUIET_END_HOUR, 0, 0, 0);
  if (d.getTime() <= now) d.setDate(d.getDate() + 1);
  return d.getTime();
}
