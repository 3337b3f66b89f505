import { useEffect, useState } from 'react';
import { api, type RouteOutput } from '../../api/index.ts';
import { ErrorNote } from '../../components/ui.tsx';
import { messageOf, useAction } from '../../components/useAction.ts';
import { formatCount, formatDateTime } from '../../lib/format.ts';
import type { Status } from './useCampaign.ts';

type Page = RouteOutput<'campaigns.uncertain'>;
const PAGE = 20;

/** Batches whose outcome is unknown: the user sees exactly who may get the message twice, and decides. */
export function UncertainPanel({ id, count, onResolved }: { id: number; count: number; onResolved(s: Status): void }) {
  const [page, setPage] = useState(0);
  const [data, setData] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = useAction();
  useEffect(() => {
    let live = true;
    api.campaigns.uncertain({ id, offset: page * PAGE, limit: PAGE }).then((d) => { if (live) setData(d); }, (e) => { if (live) setError(messageOf(e)); });
    return () => { live = false; };
  }, [id, page, count]);
  const resolve = (decision: 'resend' | 'mark-failed') => act.run(async () => onResolved(await api.campaigns.resolve({ id, decision })));

  return (
    <section className="card card-warn" aria-labelledby="uncertain-h" data-testid="uncertain">
      <h2 id="uncertain-h">{formatCount(count)} recipients need your decision</h2>
      <p>The gateway may or may not have accepted these messages (the connection broke after the request left). No delivery report has settled them. Re-sending could make them receive the message twice.</p>
      {data?.batches.map((b) => (
        <details key={b.batchId} className="batch">
          <summary>Batch {b.clientRef}: {formatCount(b.recipients.length)} recipients, sent {formatDateTime(b.sentAt)}{b.error ? ` (${b.error})` : ''}</summary>
          <ul className="numbers">{b.recipients.map((r) => <li key={r.seq} className="mono">+{r.msisdn}</li>)}</ul>
        </details>
      ))}
      {data && data.total > PAGE ? (
        <div className="pager">
          <button type="button" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>← Previous batches</button>
          <span>Batches {page * PAGE + 1}–{Math.min(data.total, (page + 1) * PAGE)} of {data.total}</span>
          <button type="button" disabled={(page + 1) * PAGE >= data.total} onClick={() => setPage((p) => p + 1)}>Next batches →</button>
        </div>
      ) : null}
      <div className="row-actions">
        <button type="button" className="primary" disabled={act.busy} onClick={() => void resolve('resend')}>Re-send to those with no report</button>
        <button type="button" disabled={act.busy} onClick={() => void resolve('mark-failed')}>Mark them failed (do not re-send)</button>
      </div>
      <ErrorNote error={act.error ?? error} />
    </section>
  );
}
