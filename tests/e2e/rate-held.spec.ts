import { expect, test, type APIRequestContext } from '@playwright/test';
import { startSandbox, type Sandbox } from '../../electron/engine/sandbox/index.ts';
import { ownServer, shot } from './helpers.ts';

/**
 * A gateway that takes 400 ms to answer, and the default of one request out at a time: the rate
 * cannot reach the 10 a second the user set. The dashboard says why and which setting changes it;
 * once that setting is raised, the note goes and the rate climbs. Its own web bridge, pointed at a
 * sandbox this test slows down.
 */
const KEY = 'rate-held-e2e-key-0123456789';
let gateway: Sandbox;
let server: Awaited<ReturnType<typeof ownServer>>;

test.beforeAll(async () => {
  gateway = await startSandbox({ tokens: 'any', latencyMs: 400, timing: { dispatchMs: 100, finalMs: 300 } });
  server = await ownServer({ key: KEY, env: { SMSDESK_GATEWAY_URL: gateway.url } });
});

test.afterAll(async () => {
  await server?.close();
  await gateway?.close();
});

const call = <T>(request: APIRequestContext, route: string, input: unknown = null) =>
  server.call<T>(request, route, input);

test('a slow gateway holds the rate under its limit: the dashboard says why, and the setting it names lifts it', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  await call(request, 'settings.set', { key: 'rate.requestsPerSecond', value: 10 });
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'slow gateway list',
    fields: ['first_name'],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', {
    importId,
    rows: Array.from({ length: 300 }, (_, i) => ({
      row: i + 2,
      phone: `0803${String(2_000_000 + i).padStart(7, '0')}`,
      fields: { first_name: `Ada ${i}` },
    })),
  });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  // personalised: one recipient per request, so the campaign lasts long enough to watch
  const c = await call<{ id: number }>(request, 'campaigns.create', {
    list: report.list.id,
    from: 'ShopRite',
    name: 'Slow gateway',
    text: 'Hello {first_name}, our store opens at 9.',
  });

  await server.open(page, `#/campaign/${c.id}`);
  await page.getByRole('button', { name: 'Send now' }).click();
  const note = page.getByTestId('rate-held');
  await expect(note).toBeVisible({ timeout: 20_000 });
  await expect(note).toHaveText(
    /^The gateway answers each request in about 4\d\d ms and one request goes out at a time, so about 2\.\d \/ s can be sent, not the 10 \/ s set\. If your 9bits account takes more, raise “Requests out at once” to [5-6] under Settings → Sending speed\.$/,
  );
  await shot(page, '33-rate-held');

  // the setting the note names, where it says
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const field = page.getByLabel('Requests out at once');
  await expect(field).toHaveValue('1');
  await field.fill('8');
  await field.press('Enter');
  await shot(page, '34-settings-in-flight');
  await expect
    .poll(async () => (await call<Record<string, unknown>>(request, 'settings.all'))['rate.maxInFlight'])
    .toBe(8);

  await server.open(page, `#/campaign/${c.id}`);
  await expect(page.getByTestId('rate')).toHaveText(/^([6-9]|10)\.\d \/ s$/, { timeout: 20_000 });
  await expect(note).toBeHidden();
  await call(request, 'campaigns.pause', { id: c.id });
});
