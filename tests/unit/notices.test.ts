import { describe, expect, it } from 'vitest';
import { createNoticeTracker, type NoticeInput } from '../../shared/notices.ts';

const base: NoticeInput = {
  id: 1,
  name: 'Saturday opening',
  state: 'sending',
  recipients: 1277,
  needsDecision: 0,
  pauseReason: null,
  counts: { delivered: 0, failed: 0, rejected: 0, expired: 0, uncertain: 0 },
};

describe('campaign notifications', () => {
  it('says when a campaign completes, once, with its counts', () => {
    const t = createNoticeTracker();
    expect(t.update(base)).toBeNull();
    const n = t.update({
      ...base,
      state: 'completed',
      counts: { ...base.counts, delivered: 1200, failed: 7, rejected: 3 },
    });
    expect(n?.kind).toBe('completed');
    expect(n?.title).toBe('Saturday opening is sent');
    expect(n?.body).toContain('1,200 delivered');
    expect(n?.body).toContain('10 failed');
    expect(t.update({ ...base, state: 'completed' })).toBeNull();
  });
  it('asks for a decision when recipients become uncertain, and on a pause the user did not ask for', () => {
    const t = createNoticeTracker();
    t.update(base);
    expect(t.update({ ...base, needsDecision: 4 })?.kind).toBe('decision');
    expect(t.update({ ...base, needsDecision: 4 })).toBeNull();
    const p = createNoticeTracker();
    p.update(base);
    expect(p.update({ ...base, state: 'paused', pauseReason: 'Paused by you.' })).toBeNull();
    p.update(base);
    const auth = p.update({ ...base, state: 'paused', pauseReason: 'The gateway refused the token (401).' });
    expect(auth?.kind).toBe('paused');
    expect(auth?.body).toContain('401');
  });
  it('a completed campaign with uncertain recipients asks for a decision instead of saying it is sent', () => {
    const t = createNoticeTracker();
    t.update(base);
    expect(t.update({ ...base, state: 'completed', counts: { ...base.counts, uncertain: 2 } })?.kind).toBe('decision');
  });
  it('a campaign first seen already completed (the app just opened) says nothing', () => {
    const t = createNoticeTracker();
    expect(t.update({ ...base, state: 'completed' })).toBeNull();
  });
});
