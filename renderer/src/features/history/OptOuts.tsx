import { useCallback, useId, useState } from 'react';
import { api, type RouteOutput } from '../../api/index.ts';
import { ErrorNote, Section } from '../../components/ui.tsx';
import { useAction, useLoad } from '../../components/useAction.ts';
import { formatCount, formatDateTime } from '../../lib/format.ts';
import { useDebounced } from '../compose/useDebounced.ts';
import { Pager } from '../../components/Pager.tsx';
import { cancelledSentence, restoredSentence } from '../../../../shared/optouts.ts';

type OptOut = RouteOutput<'optouts.list'>['rows'][number];
const PAGE = 50;

/** The numbers that must never get a message: checked at import and again when a campaign is created. */
export function OptOuts() {
  const [q, setQ] = useState('');
  const search = useDebounced(q.trim(), 250);
  const [page, setPage] = useState(0);
  const [input, setInput] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const act = useAction();
  const ids = { search: useId(), add: useId() };
  const data = useLoad(
    () => api.optouts.list({ offset: page * PAGE, limit: PAGE, search: search || undefined }),
    [page, search],
  );

  const add = useCallback(async () => {
    // Numbers are often written with spaces (0803 123 4567): only commas, semicolons and new lines separate them.
    const numbers = input
      .split(/[,;\n\r\t]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (numbers.length === 0) {
      act.setError('Type or paste one or more phone numbers first.');
      return;
    }
    const r = await act.run(() => api.optouts.add({ numbers, source: 'added by hand' }));
    if (r) {
      const cancelled = cancelledSentence(r, formatCount);
      setNote(`${formatCount(r.added)} added.${cancelled ? ` ${cancelled}` : ''}`);
      if (r.invalid.length)
        act.setError(
          `Not added, because they are not phone numbers: ${r.invalid.slice(0, 10).join(', ')}${r.invalid.length > 10 ? ` and ${formatCount(r.invalid.length - 10)} more` : ''}. Check them and add them again.`,
        );
      setInput('');
      data.reload();
    }
  }, [input, act, data]);

  const remove = (o: OptOut) =>
    act.run(async () => {
      const r = await api.optouts.remove({ numbers: [o.msisdn] });
      const restored = restoredSentence(r, formatCount);
      setNote(`+${o.msisdn} can receive messages again.${restored ? ` ${restored}` : ''}`);
      data.reload();
    });

  return (
    <Section title="Opt-out list">
      <p className="muted">Numbers here are skipped in every campaign, even if they appear in a list.</p>
      <div className="form-row">
        <div className="field grow">
          <label htmlFor={ids.add}>Add numbers (separate several with commas)</label>
          <div className="inline">
            <input
              id={ids.add}
              value={input}
              onChange={(e) => setInput(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') void add();
              }}
              inputMode="tel"
            />
            <button type="button" disabled={act.busy} onClick={() => void add()}>
              Add to opt-outs
            </button>
          </div>
        </div>
        <div className="field">
          <label htmlFor={ids.search}>Search</label>
          <input
            id={ids.search}
            type="search"
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              setPage(0);
            }}
            inputMode="tel"
          />
        </div>
      </div>
      {note ? (
        <p role="status" className="ok-note">
          {note}
        </p>
      ) : null}
      <ErrorNote error={act.error ?? data.error} />
      <div className="table-scroll">
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Added</th>
              <th scope="col">Source</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.data?.rows.map((o) => (
              <tr key={o.msisdn}>
                <td className="mono">+{o.msisdn}</td>
                <td>{formatDateTime(o.addedAt)}</td>
                <td>{o.source ?? ''}</td>
                <td className="actions">
                  <button
                    type="button"
                    onClick={() => void remove(o)}
                    aria-label={`Remove +${o.msisdn} from the opt-out list`}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data.data && data.data.total === 0 ? (
        <p className="muted">{search ? 'No opted-out number matches.' : 'No one has opted out.'}</p>
      ) : null}
      <Pager page={page} total={data.data?.total ?? 0} size={PAGE} onPage={setPage} />
    </Section>
  );
}
