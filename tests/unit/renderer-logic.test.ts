import { describe, expect, it } from 'vitest';
import { isQuietHour, nextMorning, quietHoursWarning } from '../../renderer/src/lib/quietHours.ts';
import { formatCost, formatEta, formatRate, percent } from '../../renderer/src/lib/format.ts';
import { buildChart, niceCeil } from '../../renderer/src/lib/chart.ts';
import { blockOf, clampPage, pageBounds, pageCount, windowRange } from '../../renderer/src/lib/paging.ts';
import { fieldName, suggestPhoneColumn, uniqueFieldNames } from '../../renderer/src/lib/mapping.ts';
import { mergeFieldsOf, rememberPhoneChoice } from '../../renderer/src/lib/mergeFields.ts';
import { stateBadge } from '../../renderer/src/features/campaigns/statusText.ts';
import { undecided } from '../../shared/outcome.ts';
import type { Status } from '../../renderer/src/features/campaigns/useCampaign.ts';
import { createFreshness, mergeAnswer } from '../../renderer/src/features/campaigns/freshness.ts';
import {
  FINAL_STATUSES,
  MESSAGE_STATUSES,
  OPEN_STATUSES,
  type CampaignState,
  type MessageStatus,
} from '../../shared/vocabulary.ts';

const at = (h: number, m = 0) => new Date(2026, 10, 26, h, m).getTime();

describe('quiet hours', () => {
  it('blocks 20:00 to 07:59 and allows 08:00 to 19:59', () => {
    expect(isQuietHour(new Date(at(19, 59)))).toBe(false);
    expect(isQuietHour(new Date(at(20, 0)))).toBe(true);
    expect(isQuietHour(new Date(at(2, 30)))).toBe(true);
    expect(isQuietHour(new Date(at(7, 59)))).toBe(true);
    expect(isQuietHour(new Date(at(8, 0)))).toBe(false);
  });
  it('warns about a scheduled time in quiet hours even when now is fine, and names the time', () => {
    expect(quietHoursWarning(null, at(10))).toBeNull();
    expect(quietHoursWarning(at(21, 5), at(10))).toMatch(/scheduled for 21:05/);
    expect(quietHoursWarning(null, at(22))).toMatch(/It is 22:00 now/);
    expect(quietHoursWarning(at(9), at(22))).toBeNull();
  });
  it('next morning is today 08:00 before 8, tomorrow after', () => {
    expect(new Date(nextMorning(at(3))).getDate()).toBe(26);
    expect(new Date(nextMorning(at(21))).getDate()).toBe(27);
    expect(new Date(nextMorning(at(21))).getHours()).toBe(8);
  });
});

describe('formatting', () => {
  it('ETA reads in human units and admits when it cannot tell', () => {
    expect(formatEta(null)).toBe('—');
    expect(formatEta(12_300)).toBe('13 s');
    expect(formatEta(3 * 60_000)).toBe('about 3 min');
    expect(formatEta(125 * 60_000)).toBe('about 2 h 5 min');
    expect(formatEta(Infinity)).toBe('—');
  });
  it('rate switches to per minute when slow', () => {
    expect(formatRate(0)).toBe('—');
    expect(formatRate(0.5)).toBe('30 / min');
    expect(formatRate(4.25)).toBe('4.3 / s');
    expect(formatRate(480)).toBe('480 / s');
  });
  it('cost in naira with separators and kobo only when needed', () => {
    expect(formatCost(4000)).toBe('₦4,000');
    expect(formatCost(12.5)).toBe('₦12.50');
    expect(formatCost(3, 'USD')).toBe('USD 3');
  });
  it('percent is clamped', () => {
    expect(percent(5, 0)).toBe(0);
    expect(percent(150, 100)).toBe(100);
    expect(percent(1, 4)).toBe(25);
  });
});

describe('chart scaling', () => {
  it('rounds the axis top up to 1/2/5 × 10^n', () => {
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(7)).toBe(10);
    expect(niceCeil(101)).toBe(200);
    expect(niceCeil(450)).toBe(500);
  });
  it('maps the last cumulative count to the right height and x to the right edge', () => {
    const box = { width: 400, height: 200, left: 40, right: 10, top: 10, bottom: 30 };
    const m = buildChart(
      [
        { at: 1000, counts: { accepted: 10 } },
        { at: 2000, counts: { accepted: 4, delivered: 6 } },
        { at: 3000, counts: { delivered: 9, failed: 1 } },
      ],
      box,
      undefined,
      10,
    );
    expect(m.yMax).toBe(10);
    expect(m.yTicks.map((t) => t.value)).toEqual([0, 5, 10]);
    const delivered = m.series.find((s) => s.key === 'delivered')!;
    expect(delivered.last).toBe(9);
    // 9 of 10 over a 160 px plot starting at y=10: 10 + 160 - 144 = 26; x of the last point = 400 - 10.
    expect(delivered.path.endsWith('L390,26')).toBe(true);
    expect(m.series.find((s) => s.key === 'failed')!.last).toBe(1);
    expect(m.series.find((s) => s.key === 'accepted')!.last).toBe(0);
    expect(m.xTicks[0].pos).toBe(40);
    expect(m.yTicks.at(-1)!.pos).toBe(10);
  });
  it('draws a bucket still filling at the latest status, now, not at its end in the future with part of its count', () => {
    const box = { width: 400, height: 200, left: 40, right: 10, top: 10, bottom: 30 };
    // 10-second buckets: 0 at 0 s, 5 sent by the end of the first; the second (ends at 20 s) holds
    // 30 so far; the status at 18 s says 40
    const m = buildChart(
      [
        { at: 0, counts: {} },
        { at: 10_000, counts: { accepted: 5 } },
        { at: 20_000, counts: { accepted: 35 } },
      ],
      box,
      undefined,
      80,
      { at: 18_000, values: { accepted: 40, delivered: 0, failed: 0 } },
    );
    const handed = m.series.find((s) => s.key === 'accepted')!;
    expect(handed.last).toBe(40);
    // x: 0 s → 40, 10 s → 40 + 350 × 10/18, 18 s → 390; y: 0 → 170, 5 → 160, 40 → 90 (yMax 80)
    // straight lines, one per point: the count grew all through a bucket, it did not jump at its end
    expect(handed.path).toBe('M40,170L234.4,160L390,90');
    expect(m.xTicks.at(-1)!.pos).toBe(390);
  });
  it('puts whole-number ticks on a 1/2/5 step with the top at or above the data', () => {
    const box = { width: 100, height: 100, left: 0, right: 0, top: 0, bottom: 0 };
    expect(buildChart([{ at: 1, counts: { delivered: 7 } }], box).yTicks.map((t) => t.value)).toEqual([0, 2, 4, 6, 8]);
    expect(buildChart([{ at: 1, counts: { delivered: 1 } }], box).yTicks.map((t) => t.value)).toEqual([0, 1]);
    const big = buildChart([{ at: 1, counts: { delivered: 180_000 } }], box, undefined, 200_000);
    expect(big.yMax).toBe(200_000);
    expect(big.yTicks).toHaveLength(5);
  });
  it('has an empty model without points and never divides by zero', () => {
    const m = buildChart([], { width: 100, height: 100, left: 0, right: 0, top: 0, bottom: 0 });
    expect(m.empty).toBe(true);
    const one = buildChart([{ at: 5, counts: { delivered: 3 } }], {
      width: 100,
      height: 100,
      left: 0,
      right: 0,
      top: 0,
      bottom: 0,
    });
    expect(one.series[0].path).not.toMatch(/NaN/);
  });
});

describe('paging math', () => {
  it('renders only the visible rows of a million plus overscan', () => {
    const r = windowRange({ scrollTop: 32_000_000, viewportHeight: 400, rowHeight: 32, total: 1_000_000, overscan: 5 });
    expect(r.end - r.start).toBeLessThan(40);
    // At the bottom the last 12.5 rows fill the viewport: the first visible row is 999,987, minus overscan.
    expect(r.start).toBe(999_982);
    expect(r.end).toBe(1_000_000);
    // The scroll area is capped below the browsers' maximum element height.
    expect(r.totalHeight).toBe(8_000_000);
  });
  it('maps a capped scrollbar proportionally so the middle shows the middle rows', () => {
    const vh = 400;
    const r = windowRange({
      scrollTop: (8_000_000 - vh) / 2,
      viewportHeight: vh,
      rowHeight: 32,
      total: 1_000_000,
      overscan: 0,
    });
    expect(Math.abs(r.start - 499_994)).toBeLessThan(2);
    // The row at the top of the viewport sits exactly at scrollTop.
    const realTop = (32_000_000 - vh) / 2;
    expect(r.offsetY + (Math.floor(realTop / 32) - r.start) * 32 - (8_000_000 - vh) / 2).toBeCloseTo(
      -(realTop % 32),
      5,
    );
  });
  it('keeps exact pixel offsets for short lists', () => {
    const r = windowRange({ scrollTop: 100, viewportHeight: 200, rowHeight: 20, total: 50, overscan: 2 });
    expect(r).toEqual({ start: 3, end: 18, offsetY: 60, totalHeight: 1000 });
  });
  it('starts at the top and handles empty lists', () => {
    expect(windowRange({ scrollTop: 0, viewportHeight: 100, rowHeight: 20, total: 0 })).toEqual({
      start: 0,
      end: 0,
      offsetY: 0,
      totalHeight: 0,
    });
    const r = windowRange({ scrollTop: -50, viewportHeight: 100, rowHeight: 20, total: 3 });
    expect([r.start, r.end]).toEqual([0, 3]);
  });
  it('pages and bounds', () => {
    expect(pageCount(0, 50)).toBe(1);
    expect(pageCount(101, 50)).toBe(3);
    expect(clampPage(9, 101, 50)).toBe(2);
    expect(clampPage(-1, 101, 50)).toBe(0);
    expect(pageBounds(2, 101, 50)).toEqual({ from: 101, to: 101 });
    expect(blockOf(250, 100)).toEqual({ block: 2, offset: 200 });
  });
});

describe('mapping suggestions', () => {
  it('turns headers into merge-field names', () => {
    expect(fieldName('First Name')).toBe('first_name');
    expect(fieldName(' Prénom ')).toBe('prenom');
    expect(fieldName('2nd line')).toBe('f_2nd_line');
    expect(uniqueFieldNames(['Name', 'name', ' ', 'First Name', 'first_name', 'a{b}'])).toEqual([
      'Name',
      'name_2',
      'column_3',
      'First Name',
      'first_name_2',
      'ab',
    ]);
  });
  it('picks the phone column by header and content, not a numeric id column', () => {
    const headers = ['Customer ID', 'first_name', 'Mobile No'];
    const sample = [
      ['10001', 'Ada', '0803 123 4567'],
      ['10002', 'Bayo', '8031234568'],
      ['10003', 'Chi', '+2348031234569'],
    ];
    expect(suggestPhoneColumn(headers, sample)).toBe(2);
    expect(
      suggestPhoneColumn(
        ['a', 'b'],
        [
          ['x', '08031234567'],
          ['y', '08031234568'],
        ],
      ),
    ).toBe(1);
    expect(suggestPhoneColumn(['a', 'b'], [['x', 'y']])).toBe(-1);
  });
});

describe('plural and routes', () => {
  it('says 1 contact but 2 contacts', async () => {
    const { plural } = await import('../../renderer/src/lib/format.ts');
    expect(plural(1, 'contact')).toBe('1 contact');
    expect(plural(2000, 'contact')).toBe('2,000 contacts');
  });
  it('parses hash routes and falls back to import for anything unknown', async () => {
    const { parseRoute, href } = await import('../../renderer/src/route.ts');
    expect(parseRoute('#/campaign/12')).toEqual({ page: 'campaign', id: 12 });
    expect(parseRoute('#/campaign/abc')).toEqual({ page: 'history' });
    expect(parseRoute('')).toEqual({ page: 'import' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'import' });
    expect(href({ page: 'campaign', id: 3 })).toBe('#/campaign/3');
    expect(parseRoute(href({ page: 'settings' }))).toEqual({ page: 'settings' });
  });
});

describe('merge fields offered in Compose', () => {
  const memory = () => {
    const m = new Map<string, string>();
    return {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => {
        m.set(k, v);
      },
    };
  };
  const list = { id: 7, name: 'customers', fields: ['first_name', 'city', 'phone'] };

  it('leaves off the phone column the user did not tick, and keeps it when ticked', () => {
    const s = memory();
    rememberPhoneChoice(s, list, 'phone', false);
    expect(mergeFieldsOf(s, list)).toEqual(['first_name', 'city']);
    rememberPhoneChoice(s, list, 'phone', true);
    expect(mergeFieldsOf(s, list)).toEqual(['first_name', 'city', 'phone']);
  });
  it('shows every field for a list it knows nothing about (CLI import, other id or a reused id with another name)', () => {
    const s = memory();
    rememberPhoneChoice(s, list, 'phone', false);
    expect(mergeFieldsOf(s, { ...list, id: 8 })).toEqual(list.fields);
    expect(mergeFieldsOf(s, { ...list, name: 'newer list' })).toEqual(list.fields);
    expect(mergeFieldsOf(null, list)).toEqual(list.fields);
  });
  it('survives broken storage', () => {
    const s = memory();
    s.setItem('smsdesk.unpickedPhone', '{not json');
    expect(mergeFieldsOf(s, list)).toEqual(list.fields);
    rememberPhoneChoice(
      {
        getItem: () => null,
        setItem: () => {
          throw new Error('quota');
        },
      },
      list,
      'phone',
      false,
    );
  });
});

describe('campaign state badge', () => {
  const counts = (uncertain: number) => ({ uncertain });
  it('a completed campaign with uncertain recipients needs a decision, not a green "Completed"', () => {
    expect(undecided({ state: 'completed', needsDecision: 0, counts: counts(3) })).toBe(3);
    expect(undecided({ state: 'completed', needsDecision: 2, counts: counts(2) })).toBe(2);
    expect(stateBadge('completed', 3)).toEqual({ label: 'Needs your decision', tone: 'decide' });
    expect(stateBadge('completed', 0)).toEqual({ label: 'Completed', tone: 'completed' });
  });
  it('while sending, only recipients the engine gave up checking count', () => {
    expect(undecided({ state: 'sending', needsDecision: 0, counts: counts(5) })).toBe(0);
    expect(undecided({ state: 'sending', needsDecision: 5, counts: counts(5) })).toBe(5);
    expect(stateBadge('sending', 5)).toEqual({ label: 'Sending', tone: 'sending' });
    expect(stateBadge('sending', 5, 40)).toEqual({ label: 'Sending', tone: 'sending' });
  });
  it('sending with nothing left to send but undecided recipients waits for the user, and says so', () => {
    expect(stateBadge('sending', 5, 0)).toEqual({ label: 'Needs your decision', tone: 'decide' });
    expect(stateBadge('sending', 0, 0)).toEqual({ label: 'Sending', tone: 'sending' });
  });
});

describe('dashboard polling', () => {
  const status = (counts: Partial<Record<MessageStatus, number>>, state: CampaignState = 'completed') =>
    ({
      state,
      counts: Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, counts[s] ?? 0])),
    }) as unknown as Status;
  it('keeps refreshing a completed campaign while any recipient is open, and stops once all are final', async () => {
    const { isLive } = await import('../../renderer/src/features/campaigns/useCampaign.ts');
    for (const s of OPEN_STATUSES) expect(isLive(status({ [s]: 1, delivered: 9 })), s).toBe(true);
    for (const s of FINAL_STATUSES) expect(isLive(status({ [s]: 1, delivered: 9 })), s).toBe(false);
    expect(isLive(status({ delivered: 9 }, 'sending'))).toBe(true);
  });
});

describe('statuses from events and from polls', () => {
  type Shown = { id: number; handedOver: number };
  it('a poll answer that went out before an event does not put the older numbers back', () => {
    const f = createFreshness();
    const mark = f.mark(); // the strip asks for the campaigns still going
    f.event(1); // meanwhile the engine's event says 45 handed over
    const shown: Shown[] = [{ id: 1, handedOver: 45 }];
    // the answer, read before that event, says 40; a second campaign started since
    const merged = mergeAnswer(
      shown,
      [
        { id: 1, handedOver: 40 },
        { id: 2, handedOver: 3 },
      ],
      f,
      mark,
    );
    expect(merged).toEqual([
      { id: 1, handedOver: 45 },
      { id: 2, handedOver: 3 },
    ]);
    expect(f.unchangedSince(1, mark)).toBe(false); // the dashboard's own poll answer is dropped too
  });
  it('an answer with no event since its question is taken whole, and says which campaigns are still going', () => {
    const f = createFreshness();
    f.event(1); // before the question: the answer is newer
    f.event(2);
    const mark = f.mark();
    f.event(2); // an event for another campaign holds back only that one
    const shown: Shown[] = [
      { id: 1, handedOver: 45 },
      { id: 2, handedOver: 9 },
      { id: 3, handedOver: 80 },
    ];
    const merged = mergeAnswer(
      shown,
      [
        { id: 1, handedOver: 50 },
        { id: 2, handedOver: 7 },
      ],
      f,
      mark,
    );
    // campaign 3 finished (not in the answer): it leaves the strip
    expect(merged).toEqual([
      { id: 1, handedOver: 50 },
      { id: 2, handedOver: 9 },
    ]);
    expect(f.unchangedSince(1, mark)).toBe(true);
  });
});
