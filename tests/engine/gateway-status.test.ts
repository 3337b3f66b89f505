import { describe, expect, it } from 'vitest';
import { mapStatus } from '../../electron/engine/gateway/status.ts';
import { FINAL_SQL } from '../../electron/engine/campaigns/rows.ts';
import { FINAL_STATUSES, isFinalStatus, sqlList } from '../../shared/vocabulary.ts';

describe('mapStatus', () => {
  it.each([
    ['Queued', 'sent'],
    ['Dispatched', 'sent'],
    ['ENROUTE', 'sent'],
    ['ACCEPTD', 'sent'],
    ['Delivered', 'delivered'],
    ['DELIVRD', 'delivered'],
    ['delivered', 'delivered'],
    ['Failed', 'failed'],
    ['UNDELIV', 'failed'],
    ['DELETED', 'failed'],
    ['Aborted', 'failed'],
    ['Cancelled', 'failed'],
    ['Deleted', 'failed'],
    ['Rejected', 'rejected'],
    ['REJECTD', 'rejected'],
    ['Expired', 'expired'],
    ['EXPIRED', 'expired'],
    ['Unknown', 'unknown'],
    ['UNKNOWN', 'unknown'],
    [' unknown ', 'unknown'],
  ])('maps %s to %s', (raw, product) => {
    expect(mapStatus(raw)).toBe(product);
  });

  it('returns null for words it does not know, so the caller keeps the raw status', () => {
    expect(mapStatus('Teleported')).toBeNull();
    expect(mapStatus('', 999)).toBeNull();
    expect(mapStatus('Delivered-ish')).toBeNull();
  });

  it('uses the Sinch queued/dispatched codes only when the word is missing', () => {
    expect(mapStatus('', 401)).toBe('sent');
    expect(mapStatus('Delivered', 401)).toBe('delivered');
  });
});

describe('final statuses (shared/vocabulary.ts)', () => {
  it('treats delivered, failed, rejected, expired, unknown and cancelled as final, sent and accepted as not', () => {
    for (const s of ['delivered', 'failed', 'rejected', 'expired', 'unknown', 'cancelled'] as const)
      expect(isFinalStatus(s)).toBe(true);
    expect(isFinalStatus('sent')).toBe(false);
    expect(isFinalStatus('accepted')).toBe(false);
    expect(isFinalStatus('uncertain')).toBe(false);
  });

  it("the ledger's SQL list is the same words, and only vocabulary words can be spliced into SQL", () => {
    expect(FINAL_SQL).toBe(`(${FINAL_STATUSES.map((w) => `'${w}'`).join(',')})`);
    expect(() => sqlList(["x') OR 1=1 --"])).toThrow(/not a vocabulary word/);
  });
});
