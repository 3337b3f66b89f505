import { Notification } from 'electron';
import type { EventName, EventPayload } from '../shared/ipc/contract.ts';
import { createNoticeTracker } from '../shared/notices.ts';

/**
 * Desktop notifications from the main process, so they come with the window hidden in the tray:
 * a campaign completed or needs a decision (shared/notices.ts decides which). Fed the same checked
 * events the window gets (handlers/events.ts).
 */
export function desktopNotices(open: (campaignId: number) => void, log: (line: string) => void) {
  const tracker = createNoticeTracker();
  return <E extends EventName>(name: E, payload: EventPayload<E>): void => {
    if (name !== 'campaign') return;
    const status = (payload as EventPayload<'campaign'>).status;
    if (!status) return;
    const n = tracker.update(status);
    if (!n || !Notification.isSupported()) return;
    try {
      const note = new Notification({ title: n.title, body: n.body });
      note.on('click', () => open(n.campaignId));
      note.show();
    } catch (err) {
      log(`notification: ${(err as Error).message}`);
    }
  };
}
