import { useEffect, useState } from 'react';
import { api, type RouteOutput } from '../../api/index.ts';
import { ErrorNote } from '../../components/ui.tsx';
import { messageOf, useAction } from '../../components/useAction.ts';
import { formatCount, formatDateTime, plural } from '../../lib/format.ts';
import type { Status } from './useCampaign.ts';

type Page = RouteOutput<'campaigns.uncertain'>;
type Cause = Page['causes'][number];
type Batch = Page['batches'][number];
const PAGE = 20;

/** What happened to the request, in the words of someone deciding whether to send again. */
export function causeText(httpStatus: number | null, error: string | null): string {
  if (httpStatus != null)
    return `9bits answered HTTP ${httpStatus} (an error on its side, after the request reached it)`;
  if (error && /stopped while/i.test(error)) return 'the app stopped while the request was on its way';
  return 'no answer came after the request left (the connection broke or timed out)';
}

/** The evidence for or against re-sending, from the lookups made. */
export function evidenceText(
  c: Pick<Cause, 'batches' | 'unchecked' | 'minChecks' | 'maxChecks' | 'failedLookups'>,
): string {
  const all =
    c.batches === 1
      ? 'this batch'
      : c.batches === 2
        ? 'either batch'
        : `any of these ${formatCount(c.batches)} batches`;
  if (c.unchecked === c.batches)
    return `Not checked yet: the first report lookup is due shortly, and you can decide after it.`;
  const checks =
    c.minChecks === c.maxChecks
      ? plural(c.minChecks, 'check')
      : `${formatCount(c.minChecks)}–${plural(c.maxChecks, 'check')}`;
  const parts = [
    `After ${checks}, 9bits has no record of ${c.unchecked ? `${c.batches - c.unchecked === 1 ? 'the one batch' : `the ${formatCount(c.batches - c.unchecked)} batches`} checked` : all}.`,
  ];
  if (c.unchecked) parts.push(`${plural(c.unchecked, 'batch', 'batches')} not checked yet.`);
  if (c.failedLookups) parts.push(`${plural(c.failedLookups, 'lookup')} got no answer from the report service.`);
  return parts.join(' ');
}

/** lookups come seconds apart: the minute alone would show the same time twice */
function timeWithSeconds(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

const ANSWER: Record<Batch['lookups'][number]['answer'], string> = {
  found: 'a report was found',
  'not-found': 'no record of this batch',
  'not-found-early': 'no record yet (too soon after sending to count)',
  error: 'the report service did not answer',
};

function BatchDetails({ b }: { b: Batch }) {
  const more = b.recipientCount - b.recipients.length;
  return (
    <details className="batch" data-testid="uncertain-batch">
      <summary>
        Batch {b.batchId}: {plural(b.recipientCount, 'recipient')}, sent {formatDateTime(b.sentAt)},{' '}
        {b.httpStatus != null ? `HTTP ${b.httpStatus}` : 'no answer'};{' '}
        {b.checks === 0 ? 'not checked yet' : `${plural(b.checks, 'check')}, no record`}
      </summary>
      <p className="muted">
        Reference sent to 9bits: <span className="mono">{b.clientRef}</span>
        {b.error ? `. Recorded: ${b.error}` : ''}
      </p>
      {b.lookups.length ? (
        <ol className="lookups" aria-label={`Report lookups for batch ${b.batchId}`}>
          {b.lookups.map((l, i) => (
            <li key={i}>
              {timeWithSeconds(l.at)}: {ANSWER[l.answer]}
              {l.detail ? ` (${l.detail})` : ''}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No report lookup made yet.</p>
      )}
      <ul className="numbers">
        {b.recipients.map((r) => (
          <li key={r.seq} className="mono">
            +{r.msisdn}
          </li>
        ))}
      </ul>
      {more > 0 ? <p className="muted">and {plural(more, 'more recipient')}</p> : null}
    </details>
  );
}

/** Batches whose outcome is unknown: one summary by cause, the evidence, the batches behind a disclosure, and the decision. */
export function UncertainPanel({ id, count, onResolved }: { id: number; count: number; onResolved(s: Status): void }) {
  const [page, setPage] = useState(0);
  const [data, setData] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = useAction();
  useEffect(() => {
    let live = true;
    api.campaigns.uncertain({ id, offset: page * PAGE, limit: PAGE }).then(
      (d) => {
        if (live) setData(d);
      },
      (e) => {
        if (live) setError(messageOf(e));
      },
    );
    return () => {
      live = false;
    };
  }, [id, page, count]);
  const resolve = (decision: 'resend' | 'mark-failed') =>
    act.run(async () => onResolved(await api.campaigns.resolve({ id, decision })));
  const decidable = data ? data.causes.reduce((n, c) => n + c.batches - c.unchecked, 0) : 0;

  return (
    <section className="card card-warn" aria-labelledby="uncertain-h" data-testid="uncertain">
      <h2 id="uncertain-h">
        {plural(count, 'recipient')} {count === 1 ? 'needs' : 'need'} your decision
      </h2>
      {data?.causes.map((c, i) => (
        <p key={i} className="uncertain-cause" data-testid="uncertain-cause">
          <strong>{plural(c.recipients, 'recipient')}</strong>
          {c.batches > 1 ? ` in ${plural(c.batches, 'batch', 'batches')}` : ''}: {causeText(c.httpStatus, c.error)}.{' '}
          {evidenceText(c)}
        </p>
      ))}
      <p>
        9bits may or may not have accepted these messages. Re-sending to someone it did accept sends them the message
        twice; when it still has no record after several checks, it most likely never took the batch. Re-send checks
        each batch once more first and sends only those still unknown, under the reference of the first try. To have
        this done by itself after a number of checks, see <a href="#/settings">Settings → Unknown outcomes</a>.
      </p>
      {data && data.total > 0 ? (
        <details className="uncertain-batches">
          <summary>Show the {plural(data.total, 'batch', 'batches')} and the lookups made</summary>
          {data.batches.map((b) => (
            <BatchDetails key={b.batchId} b={b} />
          ))}
          {data.total > PAGE ? (
            <div className="pager">
              <button type="button" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
                ← Previous batches
              </button>
              <span>
                Batches {page * PAGE + 1}–{Math.min(data.total, (page + 1) * PAGE)} of {formatCount(data.total)}
              </span>
              <button type="button" disabled={(page + 1) * PAGE >= data.total} onClick={() => setPage((p) => p + 1)}>
                Next batches →
              </button>
            </div>
          ) : null}
        </details>
      ) : null}
      <div className="row-actions">
        <button
          type="button"
          className="primary"
          disabled={act.busy || (data != null && decidable === 0)}
          onClick={() => void resolve('resend')}
        >
          Re-send to those with no report
        </button>
        <button
          type="button"
          disabled={act.busy || (data != null && decidable === 0)}
          onClick={() => void resolve('mark-failed')}
        >
          Mark them failed (do not re-send)
        </button>
      </div>
      <ErrorNote error={act.error ?? error} />
    </section>
  );
}
