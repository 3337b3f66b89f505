import { describe, expect, it } from 'vitest';
import { spanText } from '../../electron/engine/dlr/poller.ts';

describe('the give-up reason says the time the user set', () => {
  it('in the largest unit that says it exactly', () => {
    expect(spanText(72 * 3_600_000)).toBe('72 hours');
    expect(spanText(3_600_000)).toBe('1 hour');
    expect(spanText(90 * 60_000)).toBe('90 minutes');
    expect(spanText(1000)).toBe('1 second');
    expect(spanText(1500)).toBe('2 seconds');
  });
});
