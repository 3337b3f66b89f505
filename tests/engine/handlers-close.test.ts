import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyCloseChoice, CLOSE_BUTTONS, closePrompt } from '../../electron/close.ts';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { makeList, numbers, tempDir } from '../helpers/engine.ts';

let engine: Awaited<ReturnType<typeof createEngine>>;
let dataDir: string;

beforeEach(async () => {
  dataDir = tempDir('smsdesk-close-');
  // rate 1 request per second and 1 recipient per request: the campaign is still sending when we close
  engine = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {}, sandbox: { timing: { dispatchMs: 30, finalMs: 80 } } });
  engine.settings.set('rate.requestsPerSecond', 1);
  engine.settings.set('rate.recipientsPerRequest', 1);
});
afterEach(async () => {
  await engine.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function sendingCampaign() {
  makeList(engine, 'Close', numbers(50).map((phone) => ({ phone })));
  const c = engine.campaigns.create({ list: 'Close', from: 'Shop', text: 'Hi' });
  engine.campaigns.send(c.id);
  return c.id;
}

describe('closing the window while a campaign is sending', () => {
  it('asks nothing when nothing is sending', async () => {
    expect(await closePrompt(engine)).toBeNull();
  });

  it('asks, offering background, pause or cancel', async () => {
    const id = sendingCampaign();
    const prompt = (await closePrompt(engine))!;
    expect(prompt.sending).toEqual([id]);
    expect(prompt.message).toBe('A campaign is still sending.');
    expect(prompt.buttons).toEqual(CLOSE_BUTTONS.map((b) => b.label));
  });

  it('"keep sending" hides the window and leaves the campaign sending; "cancel" keeps the window', async () => {
    const id = sendingCampaign();
    expect(await applyCloseChoice(engine, 'background', [id])).toBe('hide');
    expect(await applyCloseChoice(engine, 'cancel', [id])).toBe('stay');
    expect(engine.campaigns.get(id)!.state).toBe('sending');
  });

  it('"pause" pauses every sending campaign, then closes; the next start still has them, paused', async () => {
    const id = sendingCampaign();
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
