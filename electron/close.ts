import type { EngineLike } from './handlers/engine-like.ts';
import { withTimeout } from './startup.ts';
import { isSending } from '../shared/lifecycle.ts';

/**
 * What closing the window means while campaigns are sending: the user picks between keeping the
 * send going with the window out of the way (hidden with a tray icon, or minimised where the desktop
 * shows no tray icons) and pausing. Quitting never loses anything either way: the ledger resumes on
 * the next start. Pure apart from the engine and the effects handed in, so tests/unit/lifecycle.test.ts
 * runs it without Electron.
 */
export type CloseChoice = 'background' | 'pause' | 'cancel';

/** Where "keep sending in the background" puts the window. */
export type BackgroundMode = 'tray' | 'minimize';

export const CLOSE_BUTTONS: ReadonlyArray<{ choice: CloseChoice; label: string }> = [
  { choice: 'background', label: 'Keep sending in the background' },
  { choice: 'pause', label: 'Pause and close' },
  { choice: 'cancel', label: 'Cancel' },
];

export interface ClosePrompt {
  message: string;
  detail: string;
  buttons: string[];
  sending: number[];
}

export async function closePrompt(
  engine: EngineLike,
  background: BackgroundMode = 'tray',
): Promise<ClosePrompt | null> {
  const sending = (await engine.campaigns.list()).filter((c) => isSending(c.state)).map((c) => c.id);
  if (sending.length === 0) return null;
  const what = sending.length === 1 ? 'A campaign is' : `${sending.length} campaigns are`;
  const where =
    background === 'tray'
      ? 'Keep sending with the window closed (SMS Desk stays in the tray)'
      : 'Keep sending with the window minimised (this desktop shows no tray icons)';
  return {
    message: `${what} still sending.`,
    detail: `${where}, or pause now and resume later from the campaign page. Nothing already queued is lost either way.`,
    buttons: CLOSE_BUTTONS.map((b) => b.label),
    sending,
  };
}

/** Applies the choice: close the window (and quit), put it out of the way ('hide'), or leave it as it is. */
export async function applyCloseChoice(
  engine: EngineLike,
  choice: CloseChoice,
  sending: number[],
): Promise<'close' | 'hide' | 'stay'> {
  if (choice === 'cancel') return 'stay';
  if (choice === 'background') return 'hide';
  for (const id of sending) {
    try {
      await engine.campaigns.pause(id);
    } catch {
      /* finished or cancelled meanwhile: nothing to pause */
    }
  }
  return 'close';
}

export interface CloseGuardDeps {
  /** the engine when it is up and answering; null while it starts, after a failed start or once closed */
  engine(): EngineLike | null;
  /** asks the user (a message box); the index of the button pressed */
  ask(prompt: ClosePrompt): Promise<number>;
  /** where the background choice puts the window on this desktop */
  background(): Promise<BackgroundMode>;
  /** the effects, done by the shell */
  close(): void;
  hide(): void;
  minimize(): void;
  /** how long the engine may take to say what is sending before the window closes anyway */
  promptTimeoutMs?: number;
  log?(line: string): void;
}

export interface CloseGuard {
  /**
   * Called from the window's 'close' event: true = let this close happen now; false = it is held
   * (prevent it) while the guard asks. A second click while a prompt is open holds and asks nothing.
   */
  onClose(): boolean;
  /** the decision of the close that is being held, for tests and logs */
  readonly pending: Promise<CloseOutcome> | null;
}

export type CloseOutcome = 'close' | 'tray' | 'minimize' | 'stay';

/**
 * The close button always does something: with no engine, when the engine does not answer in time,
 * or when the prompt itself fails, the window closes (the ledger makes that safe). Only a running
 * send asks first, and only one prompt is ever open.
 */
export function createCloseGuard(deps: CloseGuardDeps): CloseGuard {
  const timeoutMs = deps.promptTimeoutMs ?? 3_000;
  let pending: Promise<CloseOutcome> | null = null;
  let allowNext = false;

  async function decide(engine: EngineLike): Promise<CloseOutcome> {
    let prompt: ClosePrompt | null;
    let mode: BackgroundMode;
    try {
      mode = await deps.background().catch(() => 'minimize' as const);
      prompt = await withTimeout(
        closePrompt(engine, mode),
        timeoutMs,
        'the engine did not say in time what is sending',
      );
    } catch (err) {
      deps.log?.(`close: ${(err as Error).message}; closing without asking`);
      return 'close';
    }
    if (!prompt) return 'close';
    let choice: CloseChoice;
    try {
      choice = CLOSE_BUTTONS[await deps.ask(prompt)]?.choice ?? 'cancel';
    } catch (err) {
      deps.log?.(`close: the prompt failed (${(err as Error).message}); closing`);
      return 'close';
    }
    const outcome = await applyCloseChoice(engine, choice, prompt.sending).catch(() => 'close' as const);
    return outcome === 'hide' ? mode : outcome;
  }

  function act(outcome: CloseOutcome): void {
    if (outcome === 'close') {
      allowNext = true;
      deps.close();
    } else if (outcome === 'tray') {
      deps.hide();
    } else if (outcome === 'minimize') {
      deps.minimize();
    }
  }

  return {
    onClose() {
      if (allowNext) return true;
      if (pending) return false;
      const engine = deps.engine();
      if (!engine) return true;
      pending = decide(engine);
      void pending
        .then(act, () => act('close'))
        .finally(() => {
          pending = null;
        });
      return false;
    },
    get pending() {
      return pending;
    },
  };
}
