import { useEffect, useRef, useState } from 'react';
import { api, type RouteOutput } from '../../api/index.ts';
import { messageOf } from '../../components/useAction.ts';
import { ErrorNote } from '../../components/ui.tsx';
import { formatCount } from '../../lib/format.ts';
import { NETWORK_GROUP_LABEL } from '../../../../shared/phone/networks.ts';

type Row = RouteOutput<'campaigns.networks'>['networks'][number];

/**
 * Delivered / failed / pending per network. Counting by network scans the campaign's messages, so
 * it is fetched at most every 3 s while anything changes (`version`), not on every progress event;
 * an answer the engine says is not up to date yet is asked again.
 */
export function NetworkTable({ id, version }: { id: number; version: string }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const [again, setAgain] = useState(0);
  useEffect(() => {
    if (timer.current) return;
    const wait = Math.max(0, 3000 - (Date.now() - last.current));
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      api.campaigns.networks({ id }).then(
        (r) => {
          setRows(r.networks);
          setError(null);
          if (!r.upToDate) setAgain((n) => n + 1);
        },
        (e) => setError(messageOf(e)),
      );
    }, wait);
  }, [id, version, again]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    },
    [],
  );

  if (!rows) return error ? <ErrorNote error={error} /> : <p role="status">Counting by network…</p>;
  const showUnknown = rows.some((r) => r.unknown > 0);
  const showCancelled = rows.some((r) => r.cancelled > 0);
  return (
    <>
      <div className="table-scroll">
        <table className="grid network-table" data-testid="networks">
          <thead>
            <tr>
              <th scope="col">Network</th>
              <th scope="col" className="num">
                Recipients
              </th>
              <th scope="col" className="num">
                Delivered
              </th>
              <th scope="col" className="num">
                Failed
              </th>
              <th scope="col" className="num">
                Pending
              </th>
              {showUnknown ? (
                <th scope="col" className="num">
                  No final report
                </th>
              ) : null}
              {showCancelled ? (
                <th scope="col" className="num">
                  Cancelled
                </th>
              ) : null}
              <th scope="col" className="num">
                Delivered of final
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const final = r.delivered + r.failed;
              return (
                <tr key={r.network} data-network={r.network}>
                  <th scope="row">{NETWORK_GROUP_LABEL[r.network]}</th>
                  <td className="num">{formatCount(r.recipients)}</td>
                  <td className={r.delivered ? 'num net-good' : 'num'} data-col="delivered">
                    {formatCount(r.delivered)}
                  </td>
                  <td className={r.failed ? 'num net-bad' : 'num'} data-col="failed">
                    {formatCount(r.failed)}
                  </td>
                  <td className="num" data-col="pending">
                    {formatCount(r.pending)}
                  </td>
                  {showUnknown ? (
                    <td className="num" data-col="unknown">
                      {formatCount(r.unknown)}
                    </td>
                  ) : null}
                  {showCancelled ? (
                    <td className="num" data-col="cancelled">
                      {formatCount(r.cancelled)}
                    </td>
                  ) : null}
                  <td className="num">{final ? `${Math.round((r.delivered / final) * 100)} %` : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="hint">
        The network is the one the number was first given by (a number moved to another network keeps its prefix).
        “Other Nigerian” are numbers outside the four networks’ prefixes; “Abroad” are numbers outside Nigeria.
      </p>
      <ErrorNote error={error} />
    </>
  );
}
