export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function stat(values: number[]): Stat {
  const v = values.filter((x) => Number.isFinite(x));
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length === 0 ? NaN : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, runs: values };
}

export function fmt(x: number, unit = ''): string {
  if (!Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  const n =
    a >= 1000
      ? x.toFixed(0)
      : a >= 100
        ? x.toFixed(0)
        : a >= 10
          ? x.toFixed(1)
          : a >= 1
            ? x.toFixed(2)
            : a >= 0.01
              ? x.toFixed(3)
              : x.toPrecision(2);
  return unit ? `${n} ${unit}` : n;
}

export function fmtStat(s: Stat | null, unit = ''): string {
  if (!s || !Number.isFinite(s.median)) return '-';
  return `${fmt(s.median, unit)} [${fmt(s.min)}–${fmt(s.max)}]`;
}

/** The slowest arrivals-per-window figures for send-rate accuracy. */
export function rateFigures(arrivals: number[], rps: number, windowMs: number) {
  const t = [...arrivals].sort((a, b) => a - b);
  if (t.length === 0) return { achieved: 0, busiest: 0, requests: 0 };
  const end = t[0] + windowMs;
  const inWindow = t.filter((x) => x < end).length;
  let busiest = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j] < t[i] + 1000) j++;
    busiest = Math.max(busiest, j - i);
  }
  return { achieved: inWindow / ((windowMs / 1000) * rps), busiest: busiest / rps, requests: t.length };
}
