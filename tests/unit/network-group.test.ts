import { describe, expect, it } from 'vitest';
import { networkGroup } from '../../shared/phone/networks.ts';
import { OUTCOME_OF, handedOver, outcomeCounts, statusesOf, toHandOver } from '../../shared/outcome.ts';
import { MESSAGE_STATUSES, type MessageStatus } from '../../shared/vocabulary.ts';

describe('the network a recipient is counted under', () => {
  it('takes the stored network, and the prefix where a ledger has none', () => {
    expect(networkGroup('2348031234567', 'MTN')).toBe('MTN');
    expect(networkGroup('2348021234567', null)).toBe('Airtel');
    expect(networkGroup('2349151234567', null)).toBe('Glo');
    expect(networkGroup('2348091234567', null)).toBe('9mobile');
    // Ntel: Nigerian, none of the four
    expect(networkGroup('2348041234567', null)).toBe('other');
    expect(networkGroup('447911123456', null)).toBe('foreign');
    expect(networkGroup('233241234567', null)).toBe('foreign');
  });
  it('an unknown stored value falls back to the prefix, never an invented network', () => {
    expect(networkGroup('2348031234567', 'Zoom')).toBe('MTN');
    expect(networkGroup('2348041234567', 'foreign')).toBe('other');
  });
});

describe('outcomes: the one table tiles, legend and network rows count from', () => {
  it('puts every status in exactly one outcome', () => {
    const all = (['delivered', 'failed', 'pending', 'unknown', 'cancelled'] as const).flatMap(statusesOf);
    expect(all.sort()).toEqual(Object.keys(OUTCOME_OF).sort());
    expect(statusesOf('failed').sort()).toEqual(['expired', 'failed', 'rejected']);
  });
  it('adds counts by outcome', () => {
    expect(outcomeCounts({ delivered: 5, failed: 1, rejected: 2, sent: 3, uncertain: 1, unknown: 4 })).toEqual({
      delivered: 5,
      failed: 3,
      pending: 4,
      unknown: 4,
      cancelled: 0,
    });
  });
  it('counts each recipient once: still to hand over, handed over, or cancelled', () => {
    // one recipient in each status: what the dashboard, the strip, the history and `send --wait` read
    const counts = Object.fromEntries(MESSAGE_STATUSES.map((st) => [st, 1])) as Record<MessageStatus, number>;
    const n = MESSAGE_STATUSES.length;
    expect(toHandOver(counts)).toBe(2); // queued, and submitting (a request whose answer is not in)
    expect(handedOver(counts, n)).toBe(n - 3);
    // a campaign whose queue is through: nothing left to hand over, whatever the reports say
    const through = { ...counts, queued: 0, submitting: 0 };
    expect(toHandOver(through)).toBe(0);
    expect(handedOver(through, n - 2)).toBe(n - 3);
    // the statuses still to hand over are all pending: none is a final outcome
    expect(toHandOver({ queued: 4 })).toBe(4);
    expect(OUTCOME_OF.queued).toBe('pending');
    expect(OUTCOME_OF.submitting).toBe('pending');
  });
});
