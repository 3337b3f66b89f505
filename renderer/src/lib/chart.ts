/** Scaling for the delivery chart, drawn as plain SVG: cumulative counts per status group over time. */
import type { MessageStatus } from '../../../shared/vocabulary.ts';
import { HANDED_STATUSES, handedOver, outcomeCounts, statusesOf } from '../../../shared/outcome.ts';

export interface ChartPoint {
  at: number;
  counts: Partial<Record<string, number>>;
}
export interface SeriesDef {
  key: string;
  label: string;
  statuses: string[];
}
export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}
export interface Tick {
  value: number;
  pos: number;
  label: string;
}
export interface ChartSeries {
  key: string;
  label: string;
  path: string;
  last: number;
}
export interface ChartModel {
  series: ChartSeries[];
  xTicks: Tick[];
  yTicks: Tick[];
  yMax: number;
  empty: boolean;
}

/**
 * The engine's chart counts are cumulative: how many had been handed over, delivered, failed… by
 * then. Delivered and failed are the tiles' groups (shared/outcome.ts), so legend and tiles agree.
 */
export const DEFAULT_SERIES: SeriesDef[] = [
  { key: 'accepted', label: 'Handed to the gateway', statuses: [...HANDED_STATUSES] },
  { key: 'delivered', label: 'Delivered', statuses: statusesOf('delivered') },
  { key: 'failed', label: 'Failed, rejected or expired', statuses: statusesOf('failed') },
];

/** The values of the series right now, from the same status the tiles show. */
export function latestValues(counts: Record<MessageStatus, number>, recipients: number): Record<string, number> {
  const o = outcomeCounts(counts);
  return { accepted: handedOver(counts, recipients), delivered: o.delivered, failed: o.failed };
}

/** 1, 2, 5 × 10^n at or above n: axis tops that read well. */
export function niceCeil(n: number): number {
  if (!(n > 0)) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(n)));
  for (const m of [1, 2, 5, 10]) if (m * exp >= n) return m * exp;
  return 10 * exp;
}

function sum(counts: Partial<Record<string, number>>, statuses: string[]): number {
  let s = 0;
  for (const k of statuses) s += counts[k] ?? 0;
  return s;
}

function timeLabel(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return spanMs < 5 * 60_000
    ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * `latest`, when given, is the status the tiles show: the lines end there and the legend reads it,
 * so the chart (refetched every 2 s, in 10-second buckets) can never contradict the tiles.
 */
export function buildChart(
  points: ChartPoint[],
  box: ChartBox,
  series: SeriesDef[] = DEFAULT_SERIES,
  yHint = 0,
  latest?: { at: number; values: Partial<Record<string, number>> },
): ChartModel {
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  let sorted = [...points].sort((a, b) => a.at - b.at);
  // the latest point carries series values, not status counts: stored under each series' first status
  if (latest && sorted.length) {
    const counts: Record<string, number> = {};
    for (const s of series) counts[`series:${s.key}`] = latest.values[s.key] ?? 0;
    // A bucket's point is at its end: the one still filling would sit in the future, holding a
    // part of its count, and the line would jump at the right edge. The latest status replaces it.
    const past = sorted.filter((p) => p.at < latest.at);
    sorted = past.length ? past : sorted.slice(0, 1);
    sorted.push({ at: Math.max(latest.at, sorted[sorted.length - 1].at), counts });
  }
  const value = (p: ChartPoint, s: SeriesDef) =>
    `series:${s.key}` in p.counts ? (p.counts[`series:${s.key}`] ?? 0) : sum(p.counts, s.statuses);
  let dataMax = 0;
  for (const p of sorted) for (const s of series) dataMax = Math.max(dataMax, value(p, s));
  // Whole-number ticks on a 1/2/5 step, about four of them, the top one at or above the data.
  const top = Math.max(dataMax, yHint, 1);
  const step = Math.max(1, niceCeil(top / 4));
  const yMax = Math.ceil(top / step) * step;
  const yTicks: Tick[] = [];
  for (let v = 0; v <= yMax; v += step)
    yTicks.push({ value: v, pos: box.top + plotH - (v / yMax) * plotH, label: v.toLocaleString('en-NG') });
  if (sorted.length === 0)
    return {
      series: series.map((s) => ({ key: s.key, label: s.label, path: '', last: latest?.values[s.key] ?? 0 })),
      xTicks: [],
      yTicks,
      yMax,
      empty: true,
    };

  const t0 = sorted[0].at;
  const t1 = sorted[sorted.length - 1].at;
  const span = Math.max(1, t1 - t0);
  const x = (t: number) => box.left + (sorted.length === 1 ? plotW : ((t - t0) / span) * plotW);
  const y = (v: number) => box.top + plotH - (v / yMax) * plotH;
  const r = (n: number) => Math.round(n * 10) / 10;

  const out: ChartSeries[] = series.map((s) => {
    // Straight lines between the points: each point is a 10-second bucket's end (or more merged),
    // and the count grew all through it, so a ramp reads closer to the truth than a step would.
    let d = '';
    sorted.forEach((p, i) => {
      const px = r(x(p.at));
      const py = r(y(value(p, s)));
      if (i === 0) d = sorted.length === 1 ? `M${box.left},${py}L${px},${py}` : `M${px},${py}`;
      else d += `L${px},${py}`;
    });
    return { key: s.key, label: s.label, path: d, last: value(sorted[sorted.length - 1], s) };
  });

  const tickCount = Math.min(5, sorted.length);
  const xTicks: Tick[] = [];
  for (let i = 0; i < tickCount; i++) {
    const t = tickCount === 1 ? t1 : t0 + (span * i) / (tickCount - 1);
    xTicks.push({ value: t, pos: r(x(t)), label: timeLabel(t, span) });
  }
  return { series: out, xTicks, yTicks, yMax, empty: false };
}
