import type { Route } from '../../route.ts';
import { formatCount, formatDateTime } from '../../lib/format.ts';
import { handedOver, toHandOver, undecided } from '../../../../shared/outcome.ts';
import { RetryBox } from './RetryBox.tsx';
import type { ActiveCampaign } from './useActive.ts';

const SHOWN = 3;

/** What the campaign is doing, in the words of the strip. */
export function activeWords(c: ActiveCampaign): string {
  if (undecided(c) > 0) return 'needs your decision';
  if (c.state === 'paused') return 'paused';
  if (c.state === 'scheduled') return c.sendAt ? `scheduled for ${formatDateTime(c.sendAt)}` : 'scheduled';
  if (c.retry) return 'waiting for the gateway';
  if (toHandOver(c.counts) === 0) return 'waiting for delivery reports';
  return 'sending';
}

/** The campaigns still going, on every page: "Saturday opening: 265 / 1,277, sending". */
export function ActiveStrip({ campaigns, route }: { campaigns: ActiveCampaign[] | null; route: Route }) {
  if (!campaigns || campaigns.length === 0) return null;
  const more = campaigns.length - SHOWN;
  return (
    <div className="active-strip" role="region" aria-label="Campaigns in progress" data-testid="active-strip">
      {campaigns.slice(0, SHOWN).map((c) => {
        const words = activeWords(c);
        const here = route.page === 'campaign' && route.id === c.id;
        return (
          <span
            key={c.id}
            className={`active-item ${words === 'sending' ? 'active-sending' : c.state === 'sending' ? 'active-waiting' : `active-${c.state}`}`}
            data-campaign={c.id}
          >
            <span className="active-dot" aria-hidden="true" />
            <a href={`#/campaign/${c.id}`} aria-current={here ? 'page' : undefined}>
              <strong>{c.name}</strong>: {formatCount(handedOver(c.counts, c.recipients))} / {formatCount(c.recipients)}
              , {words}
            </a>
            {c.retry ? <RetryBox id={c.id} retry={c.retry} compact /> : null}
          </span>
        );
      })}
      {more > 0 ? (
        <a href="#/history" className="active-more">
          and {more} more
        </a>
      ) : null}
    </div>
  );
}
