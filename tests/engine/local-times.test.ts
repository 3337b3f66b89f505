/**
 * The engine runs on the user's machine, so its sentences give times in that machine's zone and
 * name it (TZ sets the zone for this test's process: a user in Lagos, UTC+01:00).
 */
process.env.TZ = 'Africa/Lagos';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { engineWithSandbox, makeList, numbers } from '../helpers/engine.ts';

let t: Awaited<ReturnType<typeof engineWithSandbox>>;
beforeAll(async () => {
  t = await engineWithSandbox();
  makeList(
    t.engine,
    'L',
    numbers(2).map((phone) => ({ phone })),
  );
});
afterAll(async () => {
  await t?.close();
});

it('a past send time is refused in local time, with the zone named, not in UTC', async () => {
  const at = Date.UTC(2020, 0, 15, 7, 30); // 08:30 in Lagos
  await expect(
    t.engine.campaigns.create({ list: 'L', from: 'ACME', text: 'x', sendAt: at, schedule: 'local' }),
  ).rejects.toThrow(
    expect.objectContaining({
      code: 'BAD_SCHEDULE',
      message: expect.stringMatching(
        /^The send time 2020-01-15 08:30 \(Africa\/Lagos, UTC\+01:00\) has already passed \(it is now \d{4}-\d\d-\d\d \d\d:\d\d \(Africa\/Lagos, UTC\+01:00\)\)\./,
      ),
    }),
  );
});
