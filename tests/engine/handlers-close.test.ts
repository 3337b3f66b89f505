import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyCloseChoice,
  CLOSE_BUTTONS,
  closePrompt,
  createCloseGuard,
  type CloseGuardDeps,
  type ClosePrompt,
} from '../../electron/close.ts';
import type { EngineLike } from '../../electron/handlers/index.ts';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { makeList, numbers, tempDir } from '../helpers/engine.ts';

let engine: Awaited<ReturnType<typeof createEngine>>;
let dataDir: string;

beforeEach(async () => {
  dataDir = tempDir('smsdesk-close-');
  // rate 1 request per second and 1 recipient per request: the campaign is still sending when we close
  engine = await createEngine({
    dataDir,
    secrets: createMemorySecrets(null),
    env: {},
    sandbox: { timing: { dispatchMs: 30, finalMs: 80 } },
  });
  engine.settings.set('rate.requestsPerSecond', 1);
  engine.settings.set('rate.recipientsPerRequest', 1);
});
afterEach(async () => {
  await engine.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function sendingCampaign() {
  makeList(
    engine,
    'Close',
    numbers(50).map((phone) => ({ phone })),
  );
  const c = await engine.campaigns.create({ list: 'Close', from: 'Shop', text: 'Hi' });
  engine.campaigns.send(c.id);
  return c.id;
}

describe('closing the window while a campaign is sending', () => {
  it('asks nothing when nothing is sending', async () => {
    expect(await closePrompt(engine)).toBeNull();
  });

  it('asks, offering background, pause or cancel', async () => {
    const id = await sendingCampaign();
    const prompt = (await closePrompt(engine))!;
    expect(prompt.sending).toEqual([id]);
    expect(prompt.message).toBe('A campaign is still sending.');
    expect(prompt.buttons).toEqual(CLOSE_BUTTONS.map((b) => b.label));
  });

  it('"keep sending" hides the window and leaves the campaign sending; "cancel" keeps the window', async () => {
    const id = await sendingCampaign();
    expect(await applyCloseChoice(engine, 'background', [id])).toBe('hide');
    expect(await applyCloseChoice(engine, 'cancel', [id])).toBe('stay');
    expect(engine.campaigns.get(id)!.state).toBe('sending');
  });

  it('"pause" pauses every sending campaign, then closes; the next start still has them, paused', async () => {
    const id = await sendingCampaign();
    expect(await applyCloseChoice(engine, 'pause', [id])).toBe('close');
    expect(engine.campaigns.get(id)!.state).toBe('paused');
    await engine.close();
    engine = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    const after = engine.campaigns.status(id);
    expect(after.state).toBe('paused');
    expect(after.counts.queued).toBe(50);
    expect(await closePrompt(engine)).toBeNull();
  });
});

/** The window's close button, through the guard main.ts puts on the window's 'close' event. */
describe('the close button never strands the user', () => {
  function guardFor(over: Partial<CloseGuardDeps> & { engine(): EngineLike | null }) {
    const done: string[] = [];
    const asked: ClosePrompt[] = [];
    const guard = createCloseGuard({
      ask: async (p) => {
        asked.push(p);
        return CLOSE_BUTTONS.findIndex((b) => b.choice === 'cancel');
      },
      background: async () => 'tray',
      close: () => done.push('close'),
      hide: () => done.push('hide'),
      minimize: () => done.push('minimize'),
      promptTimeoutMs: 200,
      ...over,
    });
    return { guard, done, asked };
  }

  it('closes at once while the engine is not up (starting, failed to start)', () => {
    const { guard, done } = guardFor({ engine: () => null });
    expect(guard.onClose()).toBe(true);
    expect(done).toEqual([]);
  });

  it('nothing sending: no question, the window closes', async () => {
    const { guard, done, asked } = guardFor({ engine: () => engine });
    expect(guard.onClose()).toBe(false);
    await guard.pending;
    expect(asked).toEqual([]);
    expect(done).toEqual(['close']);
    // the close it started itself goes through
    expect(guard.onClose()).toBe(true);
  });

  it('two clicks while the prompt is open ask once', async () => {
    await sendingCampaign();
    let answer!: (i: number) => void;
    const { guard, asked, done } = guardFor({
      engine: () => engine,
      ask: (p) => {
        asked.push(p);
        return new Promise((r) => {
          answer = r;
        });
      },
    });
    expect(guard.onClose()).toBe(false);
    await expect.poll(() => asked.length).toBe(1);
    expect(guard.onClose()).toBe(false);
    expect(guard.onClose()).toBe(false);
    answer(CLOSE_BUTTONS.findIndex((b) => b.choice === 'cancel'));
    await guard.pending;
    expect(asked).toHaveLength(1);
    expect(done).toEqual([]);
  });

  it('an engine that has stopped (calls fail) closes the window instead of keeping it', async () => {
    await sendingCampaign();
    await engine.close();
    const { guard, done, asked } = guardFor({ engine: () => engine });
    expect(guard.onClose()).toBe(false);
    await guard.pending;
    expect(asked).toEqual([]);
    expect(done).toEqual(['close']);
    engine = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
  });

  it('an engine that does not answer closes the window after the deadline', async () => {
    const hung = { campaigns: { list: () => new Promise(() => {}) } } as unknown as EngineLike;
    const { guard, done } = guardFor({ engine: () => hung });
    expect(guard.onClose()).toBe(false);
    await guard.pending;
    expect(done).toEqual(['close']);
  });

  it('a prompt that cannot be shown closes the window', async () => {
    await sendingCampaign();
    const { guard, done } = guardFor({
      engine: () => engine,
      ask: async () => {
        throw new Error('no display');
      },
    });
    guard.onClose();
    await guard.pending;
    expect(done).toEqual(['close']);
  });

  it('"keep sending" hides behind the tray icon, or minimises where the desktop has no tray; the campaign goes on', async () => {
    const id = await sendingCampaign();
    const background = CLOSE_BUTTONS.findIndex((b) => b.choice === 'background');
    for (const mode of ['tray', 'minimize'] as const) {
      const { guard, done, asked } = guardFor({
        engine: () => engine,
        background: async () => mode,
        ask: async (p) => {
          asked.push(p);
          return background;
        },
      });
      guard.onClose();
      await guard.pending;
      expect(done).toEqual([mode === 'tray' ? 'hide' : 'minimize']);
      expect(asked[0]!.detail).toMatch(mode === 'tray' ? /stays in the tray/ : /minimised/);
    }
    expect(engine.campaigns.get(id)!.state).toBe('sending');
  });

  it('"pause and close" pauses, then closes', async () => {
    const id = await sendingCampaign();
    const { guard, done } = guardFor({
      engine: () => engine,
      ask: async () => CLOSE_BUTTONS.findIndex((b) => b.choice === 'pause'),
    });
    guard.onClose();
    await guard.pending;
    expect(done).toEqual(['close']);
    expect(engine.campaigns.get(id)!.state).toBe('paused');
  });
});
