import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAMPAIGN_STATES, type CampaignState } from '../../shared/vocabulary.ts';
import { canCancel, canPause, canResume, canSend, canStart, isLive, isSending } from '../../shared/lifecycle.ts';

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('campaign lifecycle', () => {
  it("only electron/engine/campaigns/lifecycle.ts writes a campaign's state", () => {
    const writers = walk('electron')
      .filter((f) => /UPDATE\s+campaigns\s+SET\s+state\b/i.test(fs.readFileSync(f, 'utf8')))
      .map((f) => f.replace(/\\/g, '/'));
    expect(writers).toEqual(['electron/engine/campaigns/lifecycle.ts']);
  });

  it('the dashboard offers the buttons the engine acts on, per state', () => {
    const buttons = (s: CampaignState) =>
      [canSend(s) && 'Send now', canPause(s) && 'Pause', canResume(s) && 'Resume', canCancel(s) && 'Cancel…'].filter(
        Boolean,
      );
    const table = Object.fromEntries(CAMPAIGN_STATES.map((s) => [s, buttons(s)]));
    expect(table).toEqual({
      preparing: [],
      draft: ['Send now', 'Cancel…'],
      scheduled: ['Pause', 'Cancel…'],
      sending: ['Pause', 'Cancel…'],
      paused: ['Resume', 'Cancel…'],
      cancelled: [],
      completed: [],
    });
    // Send now and Resume start exactly the states that show either button.
    for (const s of CAMPAIGN_STATES) expect(canStart(s), s).toBe(canSend(s) || canResume(s));
  });

  it('a finished campaign stops refreshing, and only a sending one holds the window on close', () => {
    expect(CAMPAIGN_STATES.filter(isLive)).toEqual(['draft', 'scheduled', 'sending', 'paused']);
    expect(CAMPAIGN_STATES.filter(isSending)).toEqual(['sending']);
  });
});
