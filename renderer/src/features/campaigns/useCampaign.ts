import { useCallback, useEffect, useRef, useState } from 'react';
import { api, onEvent, type RouteOutput } from '../../api/index.ts';
import { messageOf } from '../../components/useAction.ts';
import { isLive as isLiveState } from '../../../../shared/lifecycle.ts';
import { OPEN_STATUSES } from '../../../../shared/vocabulary.ts';
import { createFreshness } from './freshness.ts';

export type Status = RouteOutput<'campaigns.status'>;
export type ChartData = RouteOutput<'campaigns.chart'>;

/** Still changing: a live state, or messages without a final delivery report. */
export function isLive(s: Status): boolean {
  const c = s.counts;
  return isLiveState(s.state) || OPEN_STATUSES.reduce((n, st) => n + c[st], 0) > 0;
}

/**
 * A campaign's status kept fresh by 'campaign' events, with polling as the fallback (events can
 * be missed across a reconnect). The chart is refetched at most every 2 s.
 */
export function useCampaign(id: number) {
  const [status, setStatus] = useState<Status | null>(null);
  const [chart, setChart] = useState<ChartData>([]);
  const [error, setError] = useState<string | null>(null);
  const [blocked, setBlocked] = useState<string | null>(null);
  const lastChart = useRef(0);
  const chartTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [fresh] = useState(createFreshness);

  const loadChart = useCallback(() => {
    if (chartTimer.current) return;
    const wait = Math.max(0, 2000 - (Date.now() - lastChart.current));
    chartTimer.current = setTimeout(() => {
      chartTimer.current = null;
      lastChart.current = Date.now();
      api.campaigns.chart({ id }).then(setChart, (e) => setError(messageOf(e)));
    }, wait);
  }, [id]);

  const refresh = useCallback(async () => {
    try {
      const mark = fresh.mark();
      const s = await api.campaigns.status({ id });
      // an event that came in meanwhile is at least as new (freshness.ts)
      if (fresh.unchangedSince(id, mark)) setStatus(s);
      setError(null);
      loadChart();
      return s;
    } catch (e) {
      setError(messageOf(e));
      return null;
    }
  }, [id, loadChart, fresh]);

  useEffect(() => {
    void refresh();
    const offCampaign = onEvent('campaign', (p) => {
      if (p.campaignId !== id) return;
      fresh.event(id);
      setStatus(p.status);
      loadChart();
    });
    const offBlocked = onEvent('sending-blocked', (p) => {
      if (p.campaignId == null || p.campaignId === id) setBlocked(p.message);
    });
    return () => {
      offCampaign();
      offBlocked();
      if (chartTimer.current) clearTimeout(chartTimer.current);
      chartTimer.current = null;
    };
  }, [id, refresh, loadChart, fresh]);

  // Polling fallback while anything can still change.
  const live = status ? isLive(status) : true;
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => {
      void refresh();
    }, 2000);
    return () => clearInterval(t);
  }, [live, refresh]);

  return { status, setStatus, chart, error, blocked, setBlocked, refresh };
}
