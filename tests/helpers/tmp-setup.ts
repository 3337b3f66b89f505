/**
 * vitest's global setup: the run's temporary files (data folders, keyrings, exports, children's)
 * go to one folder of its own, removed at the end, also when vitest is run by hand. Under `npm
 * test`, scripts/test.mjs has made that folder already (SMSDESK_TESTS_TMP): a second level would
 * push the keyring's control socket past the 107 bytes a Unix socket path may have.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  if (process.env.SMSDESK_TESTS_TMP && process.env.SMSDESK_TESTS_TMP === os.tmpdir()) return () => {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-vt-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
