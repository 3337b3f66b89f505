/**
 * vitest's global setup: the run's temporary files (data folders, keyrings, exports, children's)
 * go to one folder of its own, removed at the end, also when vitest is run by hand. Under `npm
 * test` (scripts/test.mjs sets TMPDIR to the run's folder) it is a folder inside that one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-vitest-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
