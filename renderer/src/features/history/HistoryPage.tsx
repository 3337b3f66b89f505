import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { api, type RouteOutput } from '../../api/index.ts';
import { ConfirmDialog, ErrorNote, Section } from '../../components/ui.tsx';
import { useAction, useLoad } from '../../components/useAction.ts';
import { VirtualTable, type Column } from '../../components/VirtualTable.tsx';
import { formatCount, formatDateTime } from '../../lib/format.ts';
import { clampPage, pageBounds } from '../../lib/paging.ts';
import { browserStorage, mergeFieldsOf } from '../../lib/mergeFields.ts';
import { Pager } from '../../components/Pager.tsx';
import { stateBadge } from '../campaigns/statusText.ts';
import { toHandOver, undecided } from '../../../../shared/outcome.ts';
import type { CampaignState } from '../../../../shared/vocabulary.ts';
import { OptOuts } from './OptOuts.tsx';

type Campaign = RouteOutput<'campaigns.list'>[number];
type Status = RouteOutput<'campaigns.status'>;
type List = RouteOutput<'lists.list'>[number];
type Contact = RouteOutput<'lists.contacts'>['rows'][number];
const PAGE = 25;

export function HistoryPage() {
  return (
    <div className="page">
      <h1 tabIndex={-1}>History: campaigns, lists and opt-outs</h1>
      <Campaigns />
      <Lists />
      <OptOuts />
    </div>
  );
}

function Campaigns() {
  const campaigns = useLoad(() => api.campaigns.list(), []);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(0);
  const searchId = useId();
  const filtered = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = [...(campaigns.data ?? [])].sort((a, b) => b.createdAt - a.createdAt);
    return needle
      ? all.filter((c) =>
          [c.name, c.sender, c.listName ?? '', c.template, String(c.id)].some((s) => s.toLowerCase().includes(needle)),
        )
      : all;
  }, [campaigns.data, q]);
  const p = clampPage(page, filtered.length, PAGE);
  const { from, to } = pageBounds(p, filtered.length, PAGE);
  const shown = filtered.slice(from - 1, to);
  const toDecide = useUndecided(shown);
  return (
    <Section title="Campaigns">
      <div className="field">
        <label htmlFor={searchId}>Search campaigns</label>
        <input
          id={searchId}
          type="search"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setPage(0);
          }}
          placeholder="Name, sender, list or text"
        />
      </div>
      <div className="table-scroll">
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">State</th>
              <th scope="col">List</th>
              <th scope="col">Sender</th>
              <th scope="col" className="num">
                Recipients
              </th>
              <th scope="col" className="num">
                Parts
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c: Campaign) => (
              <tr key={c.id}>
                <td>
                  <a href={`#/campaign/${c.id}`}>{c.name}</a>
                  {c.parentId && !/re-send/.test(c.name) ? <span className="muted"> (re-send)</span> : null}
                </td>
                <td>
                  <StateBadge state={c.state} toDecide={toDecide.get(c.id) ?? 0} />
                </td>
                <td>{c.listName ?? '—'}</td>
                <td className="mono">{c.sender}</td>
                <td className="num">{formatCount(c.recipients)}</td>
                <td className="num">{formatCount(c.parts)}</td>
                <td>{formatDateTime(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {filtered.length === 0 ? (
        <p className="muted">{campaigns.data ? (q ? 'No campaign matches.' : 'No campaigns yet.') : 'Loading…'}</p>
      ) : null}
      <Pager page={p} total={filtered.length} size={PAGE} onPage={setPage} />
      <ErrorNote error={campaigns.error} />
    </Section>
  );
}

function StateBadge({ state, toDecide }: { state: CampaignState; toDecide: number }) {
  // useUndecided counts a sending campaign's undecided recipients only once nothing waits to be sent.
  const b = stateBadge(state, toDecide, 0);
  return (
    <span
      className={`state state-${b.tone}`}
      title={
        toDecide > 0
          ? `${formatCount(toDecide)} recipients may or may not have been sent: open the campaign to decide.`
          : undefined
      }
    >
      {b.label}
    </span>
  );
}

/**
 * The campaign list has no per-status counts, so the completed and sending campaigns on the page
 * shown (at most one page) are asked for their status: one with nothing left to send may still
 * hold recipients whose outcome is unknown (the engine keeps it "sending" until they are decided).
 */
function useUndecided(shown: Campaign[]): Map<number, number> {
  const [found, setFound] = useState<Map<number, number>>(new Map());
  const ids = shown
    .filter((c) => c.state === 'completed' || c.state === 'sending')
    .map((c) => c.id)
    .join(',');
  useEffect(() => {
    if (!ids) return;
    let live = true;
    const waitsForUser = (s: Status) => (s.state === 'sending' && toHandOver(s.counts) > 0 ? 0 : undecided(s));
    void Promise.all(
      ids
        .split(',')
        .map(Number)
        .map((id) =>
          api.campaigns.status({ id }).then(
            (s) => [id, waitsForUser(s)] as const,
            () => [id, 0] as const,
          ),
        ),
    ).then((pairs) => {
      if (live) setFound(new Map(pairs));
    });
    return () => {
      live = false;
    };
  }, [ids]);
  return found;
}

const CONTACT_COLUMNS = (fields: string[]): Column<Contact>[] => [
  { key: 'seq', label: '#', width: '5rem', render: (c) => c.seq },
  { key: 'msisdn', label: 'Number', width: '10rem', render: (c) => <span className="mono">+{c.msisdn}</span> },
  { key: 'network', label: 'Network', width: '6rem', render: (c) => c.network ?? '' },
  ...fields
    .slice(0, 4)
    .map((f) => ({ key: `f:${f}`, label: f, width: 'minmax(6rem, 1fr)', render: (c: Contact) => c.fields[f] ?? '' })),
];

function Lists() {
  const lists = useLoad(() => api.lists.list(), []);
  const [open, setOpen] = useState<List | null>(null);
  const [del, setDel] = useState<List | null>(null);
  const act = useAction();
  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      open ? api.lists.contacts({ listId: open.id, offset, limit }).then((p) => p.rows) : Promise.resolve([]),
    [open],
  );
  return (
    <Section title="Contact lists">
      <div className="table-scroll">
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">List</th>
              <th scope="col" className="num">
                Contacts
              </th>
              <th scope="col">Merge fields</th>
              <th scope="col">From file</th>
              <th scope="col">Imported</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {lists.data?.map((l) => (
              <tr key={l.id}>
                <td>{l.name}</td>
                <td className="num">{formatCount(l.contacts)}</td>
                <td>
                  {mergeFieldsOf(browserStorage(), l)
                    .map((f) => `{${f}}`)
                    .join(' ')}
                </td>
                <td>{l.source ?? '—'}</td>
                <td>{formatDateTime(l.createdAt)}</td>
                <td className="actions">
                  <div className="cell-actions">
                    <button
                      type="button"
                      onClick={() => setOpen(open?.id === l.id ? null : l)}
                      aria-expanded={open?.id === l.id}
                    >
                      {open?.id === l.id ? 'Hide contacts' : 'Contacts'}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setDel(l)}
                      aria-label={`Delete the list ${l.name}`}
                    >
                      Delete…
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {lists.data && lists.data.length === 0 ? (
        <p className="muted">
          No lists yet. <a href="#/import">Import contacts</a>.
        </p>
      ) : null}
      {open ? (
        <>
          <h3>{open.name}</h3>
          <VirtualTable
            label={`Contacts of ${open.name}`}
            columns={CONTACT_COLUMNS(open.fields)}
            total={open.contacts}
            fetchPage={fetchPage}
          />
        </>
      ) : null}
      <ErrorNote error={act.error ?? lists.error} />
      <ConfirmDialog
        open={del != null}
        title={`Delete the list “${del?.name ?? ''}”?`}
        confirmLabel="Delete the list"
        danger
        onCancel={() => setDel(null)}
        onConfirm={() => {
          const l = del!;
          setDel(null);
          void act.run(async () => {
            await api.lists.delete({ id: l.id });
            if (open?.id === l.id) setOpen(null);
            lists.reload();
          });
        }}
      >
        <p>
          Its {formatCount(del?.contacts ?? 0)} contacts are removed from SMS Desk. Campaigns already sent keep their
          results.
        </p>
      </ConfirmDialog>
    </Section>
  );
}
