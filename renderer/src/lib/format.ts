/** Display formatting shared by the pages; pure so it is tested without a browser. */

const intFmt = new Intl.NumberFormat('en-NG');

export function formatCount(n: number): string {
  return intFmt.format(Math.round(n));
}

export function formatCost(amount: number, currency = 'NGN'): string {
  const symbol = currency === 'NGN' ? '₦' : `${currency} `;
  const abs = Math.abs(amount);
  const digits = abs !== 0 && abs < 1 ? 2 : Number.isInteger(abs) ? 0 : 2;
  const text = new Intl.NumberFormat('en-NG', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    abs,
  );
  return `${amount < 0 ? '−' : ''}${symbol}${text}`;
}

/** "about 3 min", "45 s", "2 h 5 min"; null or non-finite means we cannot tell yet. */
export function formatEta(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.ceil(ms / 1000);
  if (s < 1) return 'less than a second';
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `about ${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest === 0 ? `about ${h} h` : `about ${h} h ${rest} min`;
}

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond == null || !Number.isFinite(perSecond) || perSecond <= 0) return '—';
  if (perSecond < 1) return `${formatCount(perSecond * 60)} / min`;
  return `${perSecond < 10 ? perSecond.toFixed(1) : formatCount(perSecond)} / s`;
}

export function formatDateTime(ms: number | null | undefined): string {
  if (ms == null) return '—';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

/** Value for <input type="datetime-local"> in local time. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "1 contact", "2,000 contacts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${Math.round(n) === 1 ? one : many}`;
}
