import { buildChart, DEFAULT_SERIES, type ChartPoint } from '../../lib/chart.ts';
import { formatCount } from '../../lib/format.ts';

const BOX = { width: 720, height: 260, left: 56, right: 16, top: 16, bottom: 32 };

/** Labels near an edge grow inwards, so none is clipped (a single point sits at the right edge). */
function anchorFor(pos: number): 'start' | 'middle' | 'end' {
  if (pos > BOX.width - BOX.right - 40) return 'end';
  if (pos < BOX.left + 40) return 'start';
  return 'middle';
}

/** `latest` is the status the tiles show: the legend reads it and the lines end on it. */
export function DeliveryChart({
  points,
  recipients,
  latest,
}: {
  points: ChartPoint[];
  recipients: number;
  latest?: { at: number; values: Record<string, number> };
}) {
  const m = buildChart(points, BOX, DEFAULT_SERIES, recipients, latest);
  const summary = m.series.map((s) => `${s.label}: ${formatCount(s.last)}`).join(', ');
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-label={`Delivery over time. ${summary}.`}
        preserveAspectRatio="xMidYMid meet"
      >
        {m.yTicks.map((t) => (
          <g key={t.value}>
            <line x1={BOX.left} x2={BOX.width - BOX.right} y1={t.pos} y2={t.pos} className="chart-grid" />
            <text x={BOX.left - 8} y={t.pos + 4} textAnchor="end" className="chart-label">
              {t.label}
            </text>
          </g>
        ))}
        {m.xTicks.map((t, i) => (
          <text key={i} x={t.pos} y={BOX.height - 10} textAnchor={anchorFor(t.pos)} className="chart-label">
            {t.label}
          </text>
        ))}
        {m.series.map((s) => (s.path ? <path key={s.key} d={s.path} className={`chart-line chart-${s.key}`} /> : null))}
        {m.empty ? (
          <text x={BOX.width / 2} y={BOX.height / 2} textAnchor="middle" className="chart-label">
            No delivery reports yet
          </text>
        ) : null}
      </svg>
      <figcaption className="legend">
        {m.series.map((s) => (
          <span key={s.key} className="legend-item" data-series={s.key}>
            <span className={`swatch chart-${s.key}`} aria-hidden="true" />
            {s.label}: <strong>{formatCount(s.last)}</strong>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
