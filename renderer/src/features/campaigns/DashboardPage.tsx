import { useCallback, useId, useState } from 'react';
import type { MessageStatus } from '../../../../shared/vocabulary.ts';
import { api, download, type RouteOutput } from '../../api/index.ts';
import { ConfirmDialog, ErrorNote, ProgressBar, Section, Stat } from '../../components/ui.tsx';
import { useAction } from '../../components/useAction.ts';
import { VirtualTable, type Column } from '../../components/VirtualTable.tsx';
import { formatCost, formatCount, formatDateTime, formatEta, formatRate } from '../../lib/format.ts';
import { quietHoursWarning } from '../../lib/quietHours.ts';
import { go } from '../../route.ts';
import { useApp } from '../../appState.tsx';
import { DeliveryChart } from './DeliveryChart.tsx';
import { NetworkTable } from './NetworkTable.tsx';
import { RetryBox } from './RetryBox.tsx';
import { latestValues } from '../../lib/chart.ts';
import { handedOver as handedOverOf, outcomeCounts, toHandOver, undecided } from '../../../../shared/outcome.ts';
import { UncertainPanel } from './UncertainPanel.tsx';
import { STATUS_LABEL, STATUS_ORDER, STATUS_TONE, stateBadge } from './statusText.ts';
import { canCancel, canPause, canResume, canSend } from '../../../../shared/lifecycle.ts';
import { useCampaign, type Status } from './useCampaign.ts';
import { IN_FLIGHT_LABEL } from '../settings/SettingsPage.tsx';
import { heldRateSentence } from '../../../../shared/rateHeld.ts';
import { toSendSentence } from '../../../../shared/optouts.ts';
import { cutCellsNote } from '../../../../shared/exports.ts';

type Message = RouteOutput<'campaigns.messages'>['rows'][number];

const COLUMNS: Column<Message>[] = [
  { key: 'seq', label: '#', width: '4.5rem', render: (m) => m.seq },
  { key: 'msisdn', label: 'Number', width: '10rem', render: (m) => <span className="mono">+{m.msisdn}</span> },
  // wide enough for the longest label ("Accepted by gateway") at 1280 px
  {
    key: 'status',
    label: 'Status',
    width: '13rem',
    render: (m) => <span className={`pill pill-${STATUS_TONE[m.status] ?? 'plain'}`}>{STATUS_LABEL[m.status]}</span>,
  },
  { key: 'parts', label: 'Parts', width: '4rem', render: (m) => m.parts },
  {
    key: 'reason',
    label: 'Detail',
    width: 'minmax(8rem, 1fr)',
    render: (m) => {
      const d = m.reason ?? m.rawStatus ?? '';
      return <span title={d}>{d}</span>;
    },
  },
  {
    key: 'time',
    label: 'Updated',
    width: '11.5rem',
    render: (m) => formatDateTime(m.finalAt ?? m.acceptedAt ?? m.submittedAt),
  },
];

export function DashboardPage({ id }: { id: number }) {
  const { settings } = useApp();
  const { status, setStatus, chart, error, blocked, setBlocked, refresh } = useCampaign(id);
  const control = useAction();
  const exp = useAction();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [filter, setFilter] = useState<MessageStatus | ''>('');
  const [saved, setSaved] = useState<string | null>(null);
  const filterId = useId();

  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      api.campaigns.messages({ id, offset, limit, status: filter || undefined }).then((p) => p.rows),
    [id, filter],
  );

  if (!status) {
    return (
      <div className="page">
        <h1 tabIndex={-1}>Campaign</h1>
        {error ? <ErrorNote error={error} /> : <p role="status">Loading…</p>}
      </div>
    );
  }

  const c = status.counts;
  const total = status.recipients;
  // tiles, legend and the network table all count from shared/outcome.ts
  const outcome = outcomeCounts(c);
  const handedOver = handedOverOf(c, total);
  const finals = outcome.delivered + outcome.failed + outcome.unknown;
  const failedish = outcome.failed;
  const act = (fn: (i: { id: number }) => Promise<Status>) =>
    control.run(async () => {
      setBlocked(null);
      setStatus(await fn({ id }));
    });
  const rowsForFilter = filter ? c[filter] : total;
  const price = settings?.['price.perPart'] ?? 0;
  const currency = settings?.['price.currency'] ?? 'NGN';
  const toDecide = undecided(status);
  const leftToHand = toHandOver(c);
  const badge = stateBadge(status.state, toDecide, leftToHand);

  async function exportAs(format: 'csv' | 'xlsx') {
    setSaved(null);
    const r = await exp.run(async () => {
      const res = await api.campaigns.export({ id, format });
      const path = await download(res);
      return { res, path };
    });
    if (r && r.res.saved) {
      const cut = cutCellsNote(r.res.cutCells);
      setSaved(
        `Exported ${formatCount(r.res.rows)} rows${r.path ? ` to ${r.path}` : ` as ${r.res.name}`}.${cut ? ` ${cut}` : ''}`,
      );
    }
  }

  async function resend() {
    const child = await control.run(() => api.campaigns.resendFailed({ id }));
    if (child) go({ page: 'campaign', id: child.id });
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1 tabIndex={-1}>{status.name}</h1>
        <span className={`state state-${badge.tone}`} data-testid="campaign-state">
          {badge.label}
        </span>
        {status.sandbox ? (
          <span className="badge badge-sandbox">Sandbox</span>
        ) : (
          <span className="badge badge-live">LIVE</span>
        )}
      </div>
      <p className="lede">
        From <span className="mono">{status.sender}</span> to {formatCount(total)} recipients
        {status.listName ? ` of “${status.listName}”` : ''} · {formatCount(status.parts)} parts (about{' '}
        {formatCost(status.parts * price, currency)}) · created {formatDateTime(status.createdAt)}
        {status.sendAt
          ? ` · scheduled for ${formatDateTime(status.sendAt)}${status.scheduleMode === 'gateway' ? ' on the gateway' : ''}`
          : ''}
        {status.parentId ? (
          <>
            {' '}
            · re-send of <a href={`#/campaign/${status.parentId}`}>campaign {status.parentId}</a>
          </>
        ) : null}
      </p>

      {status.state === 'draft' ? (
        <div className="warn-box" role="status" data-testid="draft-notice">
          <p>
            <strong>Not started yet.</strong> {formatCount(total)} recipients, {formatCount(status.parts)} parts, about{' '}
            {formatCost(status.parts * price, currency)}
            {status.sandbox ? ', in the sandbox' : ', LIVE: real messages, billed'}. Use “Send now” when you are ready.
            {c.cancelled > 0 && status.toSend
              ? ` ${toSendSentence(c.cancelled, status.toSend, { count: formatCount, cost: (parts) => formatCost(parts * price, currency) })}`
              : ''}
          </p>
          {quietHoursWarning(null, Date.now()) ? <p>{quietHoursWarning(null, Date.now())}</p> : null}
        </div>
      ) : null}
      {/* during a back-off the retry box says it all, with its button; one box, not two */}
      {blocked && !status.retry ? (
        <div className="error-box" role="alert">
          <p>
            <strong>Sending stopped:</strong> {blocked}
          </p>
        </div>
      ) : null}
      {status.retry ? <RetryBox id={id} retry={status.retry} onStatus={setStatus} /> : null}
      {status.pauseReason && status.state === 'paused' ? (
        <div className="warn-box" role="status">
          <p>
            <strong>Paused:</strong> {status.pauseReason}
          </p>
        </div>
      ) : null}

      <Section
        title="Progress"
        actions={
          <Controls
            status={status}
            busy={control.busy}
            onSend={() => void act(api.campaigns.send)}
            onPause={() => void act(api.campaigns.pause)}
            onResume={() => void act(api.campaigns.resume)}
            onCancel={() => setConfirmCancel(true)}
          />
        }
      >
        <div className="progress-block">
          <div className="progress-label">
            <span>Handed to the gateway</span>
            <span data-testid="progress-sent">
              {formatCount(handedOver)} of {formatCount(total)}
            </span>
          </div>
          <ProgressBar value={handedOver} max={total} label="Handed to the gateway" />
          <div className="progress-label">
            <span>Final report received</span>
            <span data-testid="progress-final">
              {formatCount(finals)} of {formatCount(total)}
            </span>
          </div>
          <ProgressBar value={finals} max={total} label="Final delivery reports" />
        </div>
        <div className="stats stats-small">
          <Stat
            label={`requests / s the gateway saw (limit ${formatRate(status.rateLimit)})`}
            value={
              <span data-testid="rate">{status.state === 'sending' ? `${status.rate.toFixed(1)} / s` : '0 / s'}</span>
            }
          />
          <Stat label="time left to hand over" value={leftToHand > 0 ? formatEta(status.etaMs) : 'done'} />
          <Stat
            label="delivered"
            value={<span data-testid="count-delivered">{formatCount(c.delivered)}</span>}
            tone="good"
          />
          <Stat
            label="failed, rejected or expired"
            value={<span data-testid="count-failed">{formatCount(failedish)}</span>}
            tone={failedish ? 'bad' : 'muted'}
          />
        </div>
        {status.heldByAnswers ? <HeldByAnswersNote held={status.heldByAnswers} limit={status.rateLimit} /> : null}
        {status.sandbox && failedish > 0 ? (
          <p className="hint" data-testid="sandbox-failures">
            The sandbox reports a few messages as failed, rejected or expired on purpose, so you can see how failures
            and “Re-send to failed” look. Nothing was really sent, and a live campaign fails only where the gateway says
            so.
          </p>
        ) : null}
        <ErrorNote error={control.error ?? error} />
      </Section>

      {toDecide > 0 ? <UncertainPanel id={id} count={toDecide} onResolved={(s) => setStatus(s)} /> : null}

      <Section title="Delivery over time">
        <DeliveryChart
          points={chart}
          recipients={total}
          latest={{ at: chartEnd(status.finishedAt, chart), values: latestValues(c, total) }}
        />
      </Section>

      <Section title="Delivery by network">
        <NetworkTable id={id} version={`${status.state}:${handedOver}:${finals}`} />
      </Section>

      <Section title="Recipients by status">
        <div className="status-grid" data-testid="status-counts">
          {STATUS_ORDER.filter((k) => c[k] > 0 || ['delivered', 'sent', 'queued', 'failed'].includes(k)).map((k) => (
            <button
              type="button"
              key={k}
              className={`status-tile tone-${STATUS_TONE[k] ?? 'plain'}${filter === k ? ' selected' : ''}`}
              aria-pressed={filter === k}
              onClick={() => setFilter((f) => (f === k ? '' : k))}
            >
              <span className="status-count" data-status={k}>
                {formatCount(c[k])}
              </span>
              <span className="status-name">{STATUS_LABEL[k]}</span>
            </button>
          ))}
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor={filterId}>Show</label>
            <select id={filterId} value={filter} onChange={(e) => setFilter(e.target.value as MessageStatus | '')}>
              <option value="">All recipients ({formatCount(total)})</option>
              {STATUS_ORDER.map((k) => (
                <option key={k} value={k}>
                  {STATUS_LABEL[k]} ({formatCount(c[k])})
                </option>
              ))}
            </select>
          </div>
        </div>
        <VirtualTable
          label="Recipients"
          columns={COLUMNS}
          total={rowsForFilter}
          fetchPage={fetchPage}
          version={`${filter}:${finals}:${handedOver}`}
          height={360}
          empty="No recipients with this status."
        />
      </Section>

      <Section title="Results">
        <div className="row-actions">
          <button type="button" disabled={exp.busy} onClick={() => void exportAs('csv')}>
            Export results (CSV)
          </button>
          <button type="button" disabled={exp.busy} onClick={() => void exportAs('xlsx')}>
            Export results (Excel)
          </button>
          <button
            type="button"
            disabled={control.busy || failedish === 0 || leftToHand > 0}
            onClick={() => void resend()}
            title={failedish === 0 ? 'No failed recipients' : undefined}
          >
            Re-send to failed only ({formatCount(failedish)})
          </button>
        </div>
        <p className="hint">
          Exports hold one row per recipient with the original fields, the message, parts, status and reason. Re-sending
          makes a new campaign with only the failed, rejected and expired recipients, for you to review and send.
        </p>
        {exp.busy ? (
          <p role="status" className="hint" data-testid="export-busy">
            Writing the results file: {formatCount(status.recipients)} rows…
          </p>
        ) : null}
        <ErrorNote error={exp.error} />
        {saved ? (
          <p role="status" className="ok-note" data-testid="export-saved">
            {saved}
          </p>
        ) : null}
      </Section>

      <ConfirmDialog
        open={confirmCancel}
        title="Cancel this campaign?"
        confirmLabel="Cancel the campaign"
        danger
        onCancel={() => setConfirmCancel(false)}
        onConfirm={() => {
          setConfirmCancel(false);
          void act(api.campaigns.cancel).then(() => refresh());
        }}
      >
        <p>
          {formatCount(c.queued)} recipients who have not been sent to yet will not get the message. Messages already
          handed to the gateway cannot be called back. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function Controls({
  status,
  busy,
  onSend,
  onPause,
  onResume,
  onCancel,
}: {
  status: Status;
  busy: boolean;
  onSend(): void;
  onPause(): void;
  onResume(): void;
  onCancel(): void;
}) {
  const s = status.state;
  return (
    <>
      {canSend(s) ? (
        <button type="button" className="primary" disabled={busy} onClick={onSend}>
          Send now
        </button>
      ) : null}
      {canPause(s) ? (
        <button type="button" disabled={busy} onClick={onPause}>
          Pause
        </button>
      ) : null}
      {canResume(s) ? (
        <button type="button" className="primary" disabled={busy} onClick={onResume}>
          Resume
        </button>
      ) : null}
      {canCancel(s) ? (
        <button type="button" className="danger" disabled={busy} onClick={onCancel}>
          Cancel…
        </button>
      ) : null}
    </>
  );
}

/**
 * Where the chart's lines end: now while the campaign can still change; once it is finished, at
 * its last report's bucket (reports go on coming after a campaign is completed or cancelled) or its
 * end, so that a campaign opened days later is not squeezed against the left edge.
 */
function chartEnd(finishedAt: number | null, points: ReadonlyArray<{ at: number }>): number {
  const now = Date.now();
  if (finishedAt == null) return now;
  return Math.max(finishedAt, Math.min(points.at(-1)?.at ?? 0, now));
}

/** Why the rate stays under the limit: each request waits for its answer, and only so many go out at once. */
function HeldByAnswersNote({ held, limit }: { held: NonNullable<Status['heldByAnswers']>; limit: number }) {
  return (
    <p className="hint" data-testid="rate-held">
      {heldRateSentence(held, limit, {
        rate: formatRate,
        count: formatCount,
        raise: `raise “${IN_FLIGHT_LABEL}” to ${formatCount(held.enough)} under Settings → Sending speed`,
      })}
    </p>
  );
}
