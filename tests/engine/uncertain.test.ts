import { afterEach, describe, expect, it } from 'vitest';
import { engineWithSandbox, makeList, numbers, waitFor } from '../helpers/engine.ts';
import { ledgerViolations } from '../faults/ledger.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(settings: Record<string, unknown>) {
  const t = await engineWithSandbox({ settings });
  cleanups.push(t.close);
  return t;
}

describe('uncertain batches: what the user weighs before re-sending', () => {
  it('are summed up by cause with the lookups made, and paged in the engine', async () => {
    const { engine, sandbox } = await setup({ 'rate.recipientsPerRequest': 1 });
    makeList(
      engine,
      'five hundreds',
      numbers(25).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'five hundreds', from: 'ACME', text: 'x' });
    sandbox.setFaults({ p500: 1 });
    engine.campaigns.send(c.id);
    engine.start();
    await waitFor(() => engine.campaigns.status(c.id).needsDecision === 25, 'every batch looked up');
    const u = engine.campaigns.uncertain(c.id, { offset: 20, limit: 20 });
    expect(u.total).toBe(25);
    expect(u.recipients).toBe(25);
    expect(u.batches).toHaveLength(5);
    expect(u.causes).toHaveLength(1);
    expect(u.causes[0]).toMatchObject({ httpStatus: 500, batches: 25, recipients: 25, unchecked: 0, failedLookups: 0 });
    expect(u.causes[0].minChecks).toBeGreaterThanOrEqual(1);
    for (const b of u.batches) {
      expect(b.httpStatus).toBe(500);
      expect(b.recipientCount).toBe(1);
      expect(b.checks).toBeGreaterThanOrEqual(1);
      // every lookup made is on record, and each found nothing
      expect(b.lookups.length).toBeGreaterThanOrEqual(b.checks);
      expect(new Set(b.lookups.map((l) => l.answer))).toEqual(new Set(['not-found']));
    }
    // the page after the first 20, in batch order, and nobody twice
    const all = engine.campaigns.uncertain(c.id).batches;
    expect(all).toHaveLength(25);
    expect(u.batches.map((b) => b.batchId)).toEqual(all.slice(20).map((b) => b.batchId));
  });

  it('a re-send goes under the first reference: a batch the gateway took but cannot report is not sent twice', async () => {
    // The report endpoint finds nothing (wrong path), so the accepted-then-500 batch looks unknown.
    const { engine, sandbox, dataDir } = await setup({
      'rate.recipientsPerRequest': 10,
      'gateway.dlrBatchPath': '/ng/v1/nowhere/{reference_id}',
    });
    makeList(
      engine,
      'took it',
      numbers(10).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'took it', from: 'ACME', text: 'once only' });
    sandbox.setFaults({ pAcceptThen500: 1 });
    engine.campaigns.send(c.id);
    engine.start();
    await waitFor(() => engine.campaigns.status(c.id).needsDecision === 10, 'the batch handed to the user');
    expect(sandbox.record().accepted).toHaveLength(1);
    sandbox.setFaults({});
    engine.campaigns.resolve(c.id, 'resend');
    await waitFor(() => {
      const s = engine.campaigns.status(c.id);
      return s.counts.uncertain + s.counts.queued + s.counts.submitting === 0;
    }, 're-sent');
    expect(sandbox.record().duplicates).toBe(1);
    for (const n of numbers(10)) expect(sandbox.acceptedCount(n)).toBe(1);
    await engine.close();
    expect(ledgerViolations(dataDir)).toEqual([]);
  });

  it('automatic re-send is off by default; once set, a batch with no record after N checks goes again by itself', async () => {
    const { engine, sandbox } = await setup({ 'rate.recipientsPerRequest': 5 });
    expect(engine.settings.get('uncertain.autoResendAfterChecks')).toBe(0);
    makeList(
      engine,
      'auto',
      numbers(10).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'auto', from: 'ACME', text: 'auto' });
    sandbox.setFaults({ p500: 1 });
    engine.campaigns.send(c.id);
    engine.start();
    await waitFor(() => engine.campaigns.status(c.id).needsDecision === 10, 'handed to the user');
    sandbox.setFaults({});
    // Off: several more lookups find nothing, and nothing is re-sent.
    await waitFor(
      () => engine.campaigns.uncertain(c.id).batches.every((b) => b.lookups.length >= 4),
      'four lookups each',
    );
    expect(sandbox.record().accepted).toHaveLength(0);
    expect(engine.campaigns.status(c.id).state).toBe('sending');
    engine.settings.set('uncertain.autoResendAfterChecks', 3);
    await waitFor(() => engine.campaigns.status(c.id).state === 'completed', 'completed by the automatic re-send');
    for (const n of numbers(10)) expect(sandbox.acceptedCount(n)).toBe(1);
    const reasons = engine.campaigns.messages(c.id, { offset: 0, limit: 10 });
    expect(reasons.rows.every((r) => r.status !== 'uncertain')).toBe(true);
  });
});

describe('re-sends to failed recipients', () => {
  it('are named once: "(re-send to failed)", then "(re-send 2 to failed)", never a suffix on a suffix', async () => {
    const { engine, sandbox } = await setup({ 'rate.recipientsPerRequest': 5 });
    makeList(
      engine,
      'promo',
      numbers(5).map((phone) => ({ phone })),
    );
    sandbox.setFaults({ p500: 1 });
    engine.start();
    let c = await engine.campaigns.create({ list: 'promo', from: 'ACME', text: 'x', name: 'June promo' });
    const names: string[] = [];
    for (let round = 0; round < 2; round++) {
      engine.campaigns.send(c.id);
      const id = c.id;
      await waitFor(() => engine.campaigns.status(id).needsDecision === 5, 'handed to the user');
      engine.campaigns.resolve(id, 'mark-failed');
      c = await engine.campaigns.resendFailed(id);
      names.push(c.name);
    }
    expect(names).toEqual(['June promo (re-send to failed)', 'June promo (re-send 2 to failed)']);
  });
});
