import { describe, expect, it } from 'vitest';
import { networkGroup } from '../../shared/phone/networks.ts';
import { OUTCOME_OF, outcomeCounts, statusesOf } from '../../shared/outcome.ts';

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
});
