import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

it("a test's temporary files go to the run's own folder, which the run removes (tests/helpers/tmp-setup.ts)", () => {
  expect(path.basename(os.tmpdir())).toMatch(/^smsdesk-(vt|tests)-/);
});
