/**
 * `smsdesk send ID --wait` ends once nothing is left to send; the delivery reports come later. It
 * says so, with the command that waits for them, and that command's answer no longer does.
 */
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { draftInFolder, tempDir } from '../helpers/engine.ts';

describe('smsdesk send --wait, then dlr --wait', () => {
  it('says how many recipients still wait for a report and how to wait for them; dlr --wait ends with none', async () => {
    const dir = tempDir();
    const id = await draftInFolder(dir, 3, 'Hello');

    // the built-in sandbox (no token) gives its final reports 2-6 s after it accepted a batch
    const sent = await cli(dir, ['send', String(id), '--wait'], {}, { json: false }).done;
    expect(sent.code, sent.err).toBe(0);
    expect(sent.out).toMatch(/: completed\n/);
    expect(sent.out).toContain(
      `3 recipient(s) have no final delivery report yet (looked up while SMS Desk or a command runs): \`smsdesk dlr ${id} --wait 60\` waits for them`,
    );

    const reports = await cli(dir, ['dlr', String(id), '--wait', '60'], {}, { json: false }).done;
    expect(reports.code, reports.err).toBe(0);
    expect(reports.out).not.toContain('no final delivery report yet');
    expect(reports.out).toMatch(/accepted 0, sent 0/);
  }, 90_000);
});
