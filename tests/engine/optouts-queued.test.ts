/**
 * A number added to the opt-out list after a campaign was made: its queued messages in campaigns
 * not finished are cancelled then, not sent (campaigns/optedOut.ts). A message already handed to
 * the gateway cannot be called back and stays as it was; a finished campaign is left alone.
 */
import { describe, expect, it } from 'vitest';
import { OPTED_OUT_REASON } from '../../electron/engine/campaigns/optedOut.ts';
import { statusText } from '../../electron/engine/cli/format.ts';
import { useSandboxEngines, makeList, numbers, waitFor } from '../helpers/engine.ts';

const setup = useSandboxEngines();

describe('opt-outs added while a campaign is queued', () => {
  it('a STOP during a send: the queued message to that number is cancelled, never reaches the gateway, and the counters agree', async () => {
    // one recipient per request, four a second: 30 recipients take ~8 s
    const { engine, sandbox } = await setup({
      settings: { 'rate.requestsPerSecond': 4, 'rate.recipientsPerRequest': 1 },
    });
    const nums = numbers(30);
    makeList(
      engine,
      'stop',
      nums.map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'stop', from: 'ACME', text: 'Sale on Saturday' });
    engine.campaigns.send(c.id);
    engine.start();
    await waitFor(() => sandbox.record().accepted.length >= 3, 'three requests accepted');
    const first = sandbox.record().accepted[0]!.to[0]!;
    const late = nums[25]!;

    // the number already sent to and one still far back in the queue reply STOP
    const r = await engine.optouts.add([first, late], 'replied STOP');
    expect(r).toMatchObject({ added: 2, invalid: [], cancelled: 1, campaigns: 1 });

    await waitFor(() => engine.campaigns.status(c.id).state === 'completed', 'the campaign completed', 30_000);
    const status = engine.campaigns.status(c.id);
    expect(status.counts.cancelled).toBe(1);
    expect(status.counts.queued + status.counts.submitting).toBe(0);
    // the gateway saw every number but the late one, each once
    const sent = sandbox.record().accepted.flatMap((b) => b.to);
    expect(sent).not.toContain(late);
    expect(sent.length).toBe(29);
    expect(new Set(sent).size).toBe(29);
    const rows = engine.db
      .prepare(`SELECT msisdn, status, reason FROM messages WHERE campaign_id = ? AND msisdn IN (?, ?)`)
      .all(c.id, first, late) as Array<{ msisdn: string; status: string; reason: string | null }>;
    expect(rows.find((x) => x.msisdn === late)).toEqual({
      msisdn: late,
      status: 'cancelled',
      reason: OPTED_OUT_REASON,
    });
    // handed over before the STOP: it cannot be called back, and is not counted as cancelled
    expect(rows.find((x) => x.msisdn === first)?.status).not.toBe('cancelled');
  }, 60_000);

  it('a draft of 12,000 (more than one step) loses the opted-out numbers wherever they are; a finished campaign keeps its history', async () => {
    const { engine, sandbox } = await setup();
    const nums = numbers(12_000);
    makeList(
      engine,
      'big',
      nums.map((phone) => ({ phone })),
    );
    // a finished campaign to one of the numbers first
    makeList(engine, 'one', [{ phone: nums[11_500]! }]);
    const done = await engine.campaigns.create({ list: 'one', from: 'ACME', text: 'Earlier' });
    engine.campaigns.send(done.id);
    engine.start();
    await waitFor(() => engine.campaigns.status(done.id).state === 'completed', 'the first campaign completed', 30_000);
    const doneBefore = engine.campaigns.status(done.id).counts;

    const draft = await engine.campaigns.create({ list: 'big', from: 'ACME', text: 'Later' });
    // the window hears that the draft changed (nothing else touches it now)
    const heard: number[] = [];
    engine.on((e) => {
      if (e.type === 'campaign' && e.campaignId === draft.id) heard.push(e.campaignId);
    });
    const r = await engine.optouts.add([nums[2]!, nums[11_500]!, '0803 nope']);
    expect(r).toMatchObject({ added: 2, invalid: ['0803 nope'], cancelled: 2, campaigns: 1 });
    expect(engine.campaigns.status(done.id).counts).toEqual(doneBefore);
    await waitFor(() => heard.length > 0, 'the change event for the draft');

    const s = engine.campaigns.status(draft.id);
    expect(s.counts.queued).toBe(11_998);
    expect(s.counts.cancelled).toBe(2);
    const cancelled = engine.db
      .prepare(`SELECT seq FROM messages WHERE campaign_id = ? AND status = 'cancelled' ORDER BY seq`)
      .pluck()
      .all(draft.id);
    expect(cancelled).toEqual([3, 11_501]);
    // the counters are the rows'
    const truth = Object.fromEntries(
      (
        engine.db
          .prepare(`SELECT status, COUNT(*) AS n FROM messages WHERE campaign_id = ? GROUP BY status`)
          .all(draft.id) as Array<{ status: string; n: number }>
      ).map((x) => [x.status, x.n]),
    );
    expect(truth).toEqual({ queued: 11_998, cancelled: 2 });
    const accepted = sandbox.record().accepted.length;
    expect(accepted).toBe(1);
  }, 60_000);

  it("a draft's parts and cost to send leave out the opted-out recipient's parts, on the dashboard and in `smsdesk status`", async () => {
    const { engine } = await setup();
    const [a, b, c] = numbers(3);
    // the long name makes b's message 3 parts (GSM-7: 153 characters a part once split)
    makeList(engine, 'mixed', [
      { phone: a!, name: 'Ada' },
      { phone: b!, name: 'x'.repeat(400) },
      { phone: c!, name: 'Chi' },
    ]);
    const draft = await engine.campaigns.create({ list: 'mixed', from: 'ACME', text: 'Hello {name}' });
    const before = engine.campaigns.status(draft.id);
    expect(before.parts).toBe(5);
    expect(before.toSend).toEqual({ recipients: 3, parts: 5 });
    expect(statusText(before)).not.toMatch(/opted out/);

    await engine.optouts.add([b!]);
    const after = engine.campaigns.status(draft.id);
    // the campaign as made still says 5 parts; what it will send (and bill) is 2
    expect(after.parts).toBe(5);
    expect(after.toSend).toEqual({ recipients: 2, parts: 2 });
    expect(statusText(after)).toContain(
      '1 of them opted out since the campaign was made and will not be sent: it sends to 2, 2 parts.',
    );

    engine.campaigns.send(draft.id);
    expect(engine.campaigns.status(draft.id).toSend).toBeNull();
  });

  it('taken off the list again: its cancelled messages are queued again in campaigns not finished and sent; a finished campaign keeps them cancelled', async () => {
    const { engine, sandbox } = await setup();
    const nums = numbers(3);
    const x = nums[1]!;
    makeList(
      engine,
      'three',
      nums.map((phone) => ({ phone })),
    );
    const later = await engine.campaigns.create({ list: 'three', from: 'ACME', text: 'Later' });
    const now = await engine.campaigns.create({ list: 'three', from: 'ACME', text: 'Now' });
    expect(await engine.optouts.add([x])).toMatchObject({ cancelled: 2, campaigns: 2 });
    engine.campaigns.send(now.id);
    engine.start();
    await waitFor(() => engine.campaigns.status(now.id).state === 'completed', 'the first campaign completed', 30_000);

    // by mistake, or the customer asked to hear from us again
    expect(engine.optouts.remove([`0${x.slice(3)}`])).toEqual({ removed: 1, restored: 1, campaigns: 1 });
    const row = (id: number) =>
      engine.db
        .prepare(`SELECT status, reason, final_at FROM messages WHERE campaign_id = ? AND msisdn = ?`)
        .get(id, x) as { status: string; reason: string | null; final_at: number | null };
    expect(row(later.id)).toEqual({ status: 'queued', reason: null, final_at: null });
    expect(engine.campaigns.status(later.id)).toMatchObject({
      counts: { queued: 3, cancelled: 0 },
      toSend: { recipients: 3, parts: 3 },
    });
    // the completed campaign's history stays as it happened
    expect(row(now.id)).toMatchObject({ status: 'cancelled', reason: OPTED_OUT_REASON });
    // removing it again finds nothing more to restore
    expect(engine.optouts.remove([x])).toEqual({ removed: 0, restored: 0, campaigns: 0 });

    engine.campaigns.send(later.id);
    await waitFor(() => engine.campaigns.status(later.id).state === 'completed', 'the draft sent', 30_000);
    const sentTo = sandbox.record().accepted.flatMap((a) => a.to);
    expect(sentTo.filter((m) => m === x)).toHaveLength(1);
  }, 60_000);
});
