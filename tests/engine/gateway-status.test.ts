import { describe, expect, it } from 'vitest';
import { isFinal, mapStatus } from '../../electron/engine/gateway/status.ts';

describe('mapStatus', () => {
  it.each([
    ['Queued', 'sent'], ['Dispatched', 'sent'], ['ENROUTE', 'sent'], ['ACCEPTD', 'sent'],
    ['Delivered', 'delivered'], ['DELIVRD', 'delivered'], ['delivered', 'delivered'],
    ['Failed', 'failed'], ['UNDELIV', 'failed'], ['DELETED', 'failed'], ['Aborted', 'failed'],
    ['Cancelled', 'failed'], ['Deleted', 'failed'],
    ['Rejected', 'rejected'], ['REJECTD', 'rejected'],
    ['Expired', 'expired'], ['EXPIRED', 'expired'],
    ['Unknown', 'unknown'], ['UNKNOWN', 'unknown'], [' unknown ', 'unknown'],
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

describe('isFinal', () => {
  it('treats delivered, failed, rejected, expired and unknown as final, sent as not', () => {
    for (const s of ['delivered', 'failed', 'rejected', 'expired', 'unknown'] as const) expect(isFinal(s)).toBe(true);
    expect(isFinal('sent')).toBe(false);
    expect(isFinal('accepted')).toBe(false);
  });
});
