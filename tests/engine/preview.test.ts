import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { topLongest } from '../../electron/engine/campaigns/service.ts';
import { makeList, numbers, tempDir } from '../helpers/engine.ts';

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

describe('campaign preview before sending', () => {
  it('counts parts and cost over the list, skips opted-out numbers, and ranks the longest messages first', async () => {
    const engine = await createEngine({ dataDir: tempDir(), secrets: createMemorySecrets(null), env: {} });
    close = () => engine.close();
    engine.settings.set('price.perPart', 4);
    const nums = numbers(6);
    // Names make some messages cross into two parts; one recipient has opted out.
    const names = ['Ada', 'B'.repeat(150), 'Chi', 'D'.repeat(140), 'Eze', 'F'.repeat(150)];
    makeList(
      engine,
      'people',
      nums.map((phone, i) => ({ phone, first_name: names[i] })),
    );
    await engine.optouts.add([nums[5]]);
    const p = engine.campaigns.preview({ list: 'people', text: 'Hello {first_name}, your order is ready.' });
    expect(p.recipients).toBe(5);
    expect(p.suppressed).toBe(1);
    expect(p.maxParts).toBe(2);
    expect(p.typicalParts).toBe(1);
    expect(p.overTypical).toBe(2);
    expect(p.totalParts).toBe(7);
    expect(p.cost).toBe(28);
    expect(p.longestFirst.slice(0, 2)).toEqual([2, 4]); // the 150-char name, then the 140-char one
    expect(p.longestFirst).toHaveLength(5);
    expect(p.longest?.seq).toBe(2);
  });

  it('names an unknown merge field instead of counting anything', async () => {
    const engine = await createEngine({ dataDir: tempDir(), secrets: createMemorySecrets(null), env: {} });
    close = () => engine.close();
    makeList(
      engine,
      'people',
      numbers(2).map((phone) => ({ phone, first_name: 'Ada' })),
    );
    const p = engine.campaigns.preview({ list: 'people', text: 'Hi {firstname}' });
    expect(p.unknownFields).toEqual(['firstname']);
    expect(p.templateError).toMatch(/firstname/);
    await expect(engine.campaigns.create({ list: 'people', from: 'ACME', text: 'Hi {firstname}' })).rejects.toThrow(
      /firstname/,
    );
  });
});

describe('topLongest', () => {
  it('keeps the k longest in order, ties broken by characters then list order', () => {
    const t = topLongest(3);
    [
      [1, 1, 50],
      [2, 2, 200],
      [3, 1, 160],
      [4, 2, 200],
      [5, 3, 400],
      [6, 1, 10],
    ].forEach(([seq, parts, len]) => t.offer(seq, parts, len));
    expect(t.seqs()).toEqual([5, 2, 4]);
  });
});
