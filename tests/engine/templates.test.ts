import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { tempDir } from '../helpers/engine.ts';

const engines: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (engines.length) await engines.pop()!.close();
});

async function open(dataDir: string) {
  const e = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
  engines.push(e);
  return e;
}

describe('message templates', () => {
  it('are saved, renamed, edited and deleted, and survive a restart of the engine', async () => {
    const dir = tempDir();
    let e = await open(dir);
    const promo = e.templates.save({
      name: '  Saturday   promo ',
      sender: 'ACME',
      text: 'Hello {name}, we open at 9.',
    });
    expect(promo).toMatchObject({ name: 'Saturday promo', sender: 'ACME', text: 'Hello {name}, we open at 9.' });
    e.templates.save({ name: 'Reminder', sender: '', text: 'Your order is ready.' });
    const renamed = e.templates.save({
      id: promo.id,
      name: 'Weekend promo',
      sender: 'ACME',
      text: 'Hello {name}, we open at 8.',
    });
    expect(renamed.id).toBe(promo.id);
    await e.close();
    engines.pop();
    e = await open(dir);
    expect(e.templates.list().map((t) => [t.name, t.text])).toEqual([
      ['Reminder', 'Your order is ready.'],
      ['Weekend promo', 'Hello {name}, we open at 8.'],
    ]);
    expect(e.templates.delete(promo.id)).toEqual({ deleted: true });
    expect(e.templates.list().map((t) => t.name)).toEqual(['Reminder']);
  });

  it('refuse a taken name, an empty name or text and a bad sender ID in a sentence, leaving what is stored', async () => {
    const e = await open(tempDir());
    const first = e.templates.save({ name: 'Promo', sender: 'ACME', text: 'A' });
    expect(() => e.templates.save({ name: 'promo', sender: '', text: 'B' })).toThrow(
      'There is already a template called "Promo". Choose another name, or pick that template and save over it.',
    );
    expect(() => e.templates.save({ name: ' ', sender: '', text: 'B' })).toThrow(/Give the template a name/);
    expect(() => e.templates.save({ id: first.id, name: 'Promo', sender: '', text: '   ' })).toThrow(/has no text/);
    expect(() => e.templates.save({ id: first.id, name: 'Promo', sender: '2348031234567890', text: 'B' })).toThrow(
      /16 digits/,
    );
    expect(e.templates.list()).toEqual([first]);
  });
});
