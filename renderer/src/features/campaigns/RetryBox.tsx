import { useEffect, useState } from 'react';
import { api, type RouteOutput } from '../../api/index.ts';
import { ErrorNote } from '../../components/ui.tsx';
import { useAction } from '../../components/useAction.ts';
import { formatEta } from '../../lib/format.ts';

type Status = RouteOutput<'campaigns.status'>;

/** The gateway could not take a request (503, 429, network down): when the next try is, and "Retry now". */
export function RetryBox({
  id,
  retry,
  onStatus,
  compact,
}: {
  id: number;
  retry: NonNullable<Status['retry']>;
  onStatus?(s: Status): void;
  compact?: boolean;
}) {
  const action = useAction();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = retry.at - now;
  const button = (
    <button
      type="button"
      className={compact ? 'small' : 'primary'}
      disabled={action.busy}
      onClick={() =>
        void action.run(async () => {
          const s = await api.campaigns.retryNow({ id });
          onStatus?.(s);
        })
      }
    >
      Retry now
    </button>
  );
  if (compact)
    return (
      <>
        {button}
        <ErrorNote error={action.error} />
      </>
    );
  return (
    <div className="warn-box" role="status" data-testid="retry-box">
      <p>
        <strong>Waiting for the gateway.</strong> {retry.reason ?? 'The gateway did not take the last request.'} Nothing
        was lost: the next try is {left > 1000 ? `in ${formatEta(left)}` : 'now'}.
      </p>
      <div className="row-actions">{button}</div>
      <ErrorNote error={action.error} />
    </div>
  );
}
