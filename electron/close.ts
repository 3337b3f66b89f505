import type { EngineLike } from './handlers/engine-like.ts';

/**
 * What closing the window means while campaigns are sending: the user picks between keeping the
 * send going with the window hidden (tray) and pausing. Quitting never loses anything either way:
 * the ledger resumes on the next start. Pure apart from the engine, so it is tested without Electron.
 */
export type CloseChoice = 'background' | 'pause' | 'cancel';

export const CLOSE_BUTTONS: ReadonlyArray<{ choice: CloseChoice; label: string }> = [
  { choice: 'background', label: 'Keep sending in the background' },
  { choice: 'pause', label: 'Pause and close' },
  { choice: 'cancel', label: 'Cancel' },
];

export async function closePrompt(engine: EngineLike): Promise<{ message: string; detail: string; buttons: string[]; sending: number[] } | null> {
  const sending = (await engine.campaigns.list()).filter((c) => c.state === 'sending').map((c) => c.id);
  if (sending.length === 0) return null;
  const what = sending.length === 1 ? 'A campaign is' : `${sending.length} campaigns are`;
  return {
    message: `${what} still sending.`,
    detail: 'Keep sending with the window closed (SMS Desk stays in the tray), or pause now and resume later from the campaign page. Nothing already queued is lost either way.',
    buttons: CLOSE_BUTTONS.map((b) => b.label),
    sending,
  };
}

/** Applies the choice; returns whether the window may close (false = keep it open or only hide it). */
export async function applyCloseChoice(engine: EngineLike, choice: CloseChoice, sending: number[]): Promise<'close' | 'hide' | 'stay'> {
  if (choice === 'cancel') return 'stay';
  if (choice === 'background') return 'hide';
  for (const id of sending) {
    try { await engine.campaigns.pause(id); } catch { /* finished or cancelled meanwhile: nothing to pause */ }
  }
  return 'close';
}
