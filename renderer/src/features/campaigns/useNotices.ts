import { useEffect, useRef } from 'react';
import { mode, onEvent } from '../../api/index.ts';
import { go } from '../../route.ts';
import { createNoticeTracker } from '../../../../shared/notices.ts';
import type { ActiveCampaign } from './useActive.ts';

/**
 * Web mode: the browser's notifications when a campaign completes or needs the user. (The desktop
 * app shows them from the main process, electron/notify.ts, even with the window hidden.) The
 * permission is asked on the first send (api/index.ts), never on page load.
 */
export function useWebNotices(active: ActiveCampaign[] | null): void {
  const tracker = useRef(createNoticeTracker());
  // what was already going when the page opened is the baseline, not news
  useEffect(() => {
    for (const c of active ?? []) tracker.current.update(c);
  }, [active]);
  useEffect(() => {
    if (mode !== 'web' || typeof Notification === 'undefined') return;
    return onEvent('campaign', (p) => {
      if (!p.status) return;
      const n = tracker.current.update(p.status);
      if (!n || Notification.permission !== 'granted') return;
      try {
        const note = new Notification(n.title, { body: n.body, tag: `smsdesk-campaign-${n.campaignId}` });
        note.onclick = () => {
          window.focus();
          go({ page: 'campaign', id: n.campaignId });
          note.close();
        };
      } catch {
        /* a browser that only shows notifications from a service worker: the strip still says it */
      }
    });
  }, []);
}
