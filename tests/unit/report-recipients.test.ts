import { describe, expect, it } from 'vitest';
import { parseBatchReport } from '../../electron/engine/gateway/reports.ts';
import { REDACTED } from '../../electron/engine/redact.ts';

const TOKEN = 'tok-9bits-5f3a2c1d7e';

function recipientsOf(list: unknown[]): string[] | null {
  return parseBatchReport(
    { batch_id: 'gw-1', statuses: [{ status: 'Delivered', code: 0, recipients: list }] },
    'ref-1',
    TOKEN,
  )!.statuses[0]!.recipients;
}

/**
 * A delivery report's recipient lists are stored (raw numbers matched against the ledger, shown in
 * exports): a gateway that echoes the token into one of them must not get it into the ledger, and
 * every other number must come through as sent, however long the list.
 */
describe('recipient lists of a delivery report', () => {
  const numbers = Array.from({ length: 500 }, (_, i) => `23480${String(31_000_000 + i)}`);

  it('come through unchanged when none carries the token (numbers as text, other values left out)', () => {
    expect(recipientsOf(numbers)).toEqual(numbers);
    expect(recipientsOf(['2348031234567', 2348031234568, null, { n: 1 }, true, Number.NaN])).toEqual([
      '2348031234567',
      '2348031234568',
    ]);
  });

  it.each([
    ['as is', TOKEN],
    ['URL-encoded', encodeURIComponent(TOKEN).replace(/-/g, '%2D')],
    ['JSON-escaped', TOKEN.replace(/b/g, '\\u0062')],
    ['in base64', Buffer.from(`Bearer ${TOKEN}`).toString('base64')],
  ])('lose the token %s wherever it sits in a long list, and only there', (_how, form) => {
    const list = [...numbers];
    list[123] = `2348031234567 ${form}`;
    list[499] = `${form}`;
    const got = recipientsOf(list)!;
    expect(got).toHaveLength(list.length);
    for (const i of [123, 499]) {
      expect(got[i]).toContain(REDACTED);
      expect(got[i]).not.toContain(TOKEN.slice(4, 12));
    }
    expect(got.filter((_, i) => i !== 123 && i !== 499)).toEqual(numbers.filter((_, i) => i !== 123 && i !== 499));
  });

  it('a token split over two recipients is two ordinary strings, as each is on its own', () => {
    const half = TOKEN.length / 2;
    expect(recipientsOf([TOKEN.slice(0, half), TOKEN.slice(half)])).toEqual([TOKEN.slice(0, half), TOKEN.slice(half)]);
  });
});
