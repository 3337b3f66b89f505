import { useCallback, useEffect, useRef, useState } from 'react';
import { api, onEvent, type RouteOutput } from '../../api/index.ts';

export type ActiveCampaign = RouteOutput<'campaigns.active'>[number];

/**
 * Every campaign still going (sending, scheduled, paused), for the strip on every page. Kept
 * fresh from 'campaign' events; a slow poll catches what a reconnect missed.
 */
export function useActiveCampaigns(): ActiveCampaign[] | null {
  const [list, setList] = useState<ActiveCampaign[] | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(() => {
    api.campaigns.active().then(setList, () => {
      /* the page shows the engine's error elsewhere */
    });
  }, []);
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
  }, [refresh, soon]);

  const any = (list?.length ?? 0) > 0;
  useEffect(() => {
    const t = setInterval(refresh, any ? 3000 : 10_000);
    return () => clearInterval(t);
  }, [any, refresh]);

  return list;
}
