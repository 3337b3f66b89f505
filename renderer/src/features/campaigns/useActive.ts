import { useCallback, useEffect, useRef, useState } from 'react';
import { api, onEvent, type RouteOutput } from '../../api/index.ts';
import { createFreshness, mergeAnswer } from './freshness.ts';

export type ActiveCampaign = RouteOutput<'campaigns.active'>[number];

/**
 * Every campaign still going (sending, scheduled, paused), for the strip on every page. Kept
 * fresh from 'campaign' events; a slow poll catches what a reconnect missed.
 */
export function useActiveCampaigns(): ActiveCampaign[] | null {
  const [list, setList] = useState<ActiveCampaign[] | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [fresh] = useState(createFreshness);

  const refresh = useCallback(() => {
    const mark = fresh.mark();
    api.campaigns.active().then(
      (answer) => setList((shown) => mergeAnswer(shown, answer, fresh, mark)),
      () => {
        /* the page shows the engine's error elsewhere */
      },
    );
  }, [fresh]);
  // many events per second collapse into one refetch
  const soon = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      refresh();
    }, 1000);
  }, [refresh]);

  useEffect(() => {
    refresh();
    const off = onEvent('campaign', (p) => {
      if (p.status) {
        const s = p.status;
        fresh.event(s.id);
        setList((l) => (l && l.some((c) => c.id === s.id) ? l.map((c) => (c.id === s.id ? s : c)) : l));
      }
      // a campaign may have started, finished or been cancelled: only the engine knows the list
      soon();
    });
    return () => {
      off();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [refresh, soon, fresh]);

  const any = (list?.length ?? 0) > 0;
  useEffect(() => {
    const t = setInterval(refresh, any ? 3000 : 10_000);
    return () => clearInterval(t);
  }, [any, refresh]);

  return list;
}
