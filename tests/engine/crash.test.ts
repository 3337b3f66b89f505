import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { startSandbox, type Sandbox } from '../../electron/engine/sandbox/index.ts';
import { cli as runCli } from '../helpers/cli.ts';
import { makeList, numbers, tempDir, waitFor, TEST_TOKEN } from '../helpers/engine.ts';

let sandbox: Sandbox;
afterAll(async () => {
  await sandbox?.close();
});

function cli(dataDir: string, args: string[]) {
  return runCli(dataDir, args, { SMSDESK_TOKEN: TEST_TOKEN, SMSDESK_GATEWAY_URL: sandbox.url });
}

describe('crash safety of `smsdesk send`', () => {
  it('SIGKILL at several points: no recipient lost, none sent twice, uncertain ones accounted for', async () => {
    sandbox = await startSandbox({ tokens: [TEST_TOKEN], latencyMs: 15, timing: { dispatchMs: 50, finalMs: 200 } });
    const dataDir = tempDir('smsdesk-crash-');
    const N = 3000;
    const setup = await createEngine({
      dataDir,
      secrets: createMemorySecrets(TEST_TOKEN),
      gatewayUrl: sandbox.url,
      env: {},
    });
    // A "not found" counts as evidence only once the request is older than the answer timeout.
    for (const [k, v] of Object.entries({
      'rate.requestsPerSecond': 25,
      'rate.recipientsPerRequest': 50,
      'dlr.initialIntervalMs': 100,
      'dlr.maxIntervalMs': 500,
      'gateway.answerTimeoutMs': 1000,
    }))
      setup.settings.set(k as never, v);
    makeList(
      setup,
      'crash',
      numbers(N).map((phone) => ({ phone })),
    );
    const c = await setup.campaigns.create({ list: 'crash', from: 'ACME', text: 'crash test' });
    await setup.close();

    // Kill when the gateway has accepted this many batches (0 = during start-up).
    const killAt = [0, 2, 7, 13, 20, 28, 35, 44];
    const kills: string[] = [];
    for (const target of killAt) {
      const run = cli(dataDir, ['send', String(c.id), '--wait']);
      if (target === 0) {
        await new Promise((r) => setTimeout(r, 150)); // a moment into start-up; the point, not the length, matters
      } else {
        await waitFor(
          () => sandbox.record().accepted.length >= target || run.child.exitCode !== null,
          `batch ${target}`,
          30_000,
        );
      }
      run.child.kill('SIGKILL');
      const r = await run.done;
      kills.push(r.signal ?? `exit ${r.code}`);
    }
    expect(kills.filter((k) => k === 'SIGKILL').length).toBeGreaterThanOrEqual(6);

    // Finish the campaign, let reports settle the uncertain batches, then decide on the rest.
    let last = await cli(dataDir, ['send', String(c.id), '--wait']).done;
    expect(last.code).toBe(0);
    last = await cli(dataDir, ['dlr', String(c.id), '--wait', '5']).done;
    let status = JSON.parse(last.out);
    if (status.counts.uncertain > 0) {
      const r = await cli(dataDir, ['resolve', String(c.id), '--resend']).done;
      expect(r.code).toBe(0);
      last = await cli(dataDir, ['send', String(c.id), '--wait']).done;
      status = JSON.parse(last.out);
    }
    expect(status.counts.queued + status.counts.submitting + status.counts.uncertain).toBe(0);

    const rec = sandbox.record();
    const lost = numbers(N).filter((n) => sandbox.acceptedCount(n) === 0);
    const twice = numbers(N).filter((n) => sandbox.acceptedCount(n) > 1);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect(rec.accepted.flatMap((b) => b.to)).toHaveLength(N);
  }, 180_000);
});
