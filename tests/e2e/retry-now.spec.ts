import { expect, test, type APIRequestContext } from '@playwright/test';
import { startSandbox, type Sandbox } from '../../electron/engine/sandbox/index.ts';
import { ownServer, shot } from './helpers.ts';

/**
 * An outage: the gateway answers 503 to every send. The campaign waits out a long back-off; the
 * dashboard and the strip say so, and "Retry now" sends the moment the gateway is back, instead
 * of minutes later. Its own web bridge, pointed at a sandbox this test controls.
 */
const KEY = 'retry-now-e2e-key-0123456789';
let gateway: Sandbox;
let server: Awaited<ReturnType<typeof ownServer>>;
let base = '';

test.beforeAll(async () => {
  gateway = await startSandbox({ tokens: 'any', faults: { p503: 1 }, timing: { dispatchMs: 100, finalMs: 300 } });
  server = await ownServer({ key: KEY, env: { SMSDESK_GATEWAY_URL: gateway.url } });
  base = server.base;
});

test.afterAll(async () => {
  await server?.close();
  await gateway?.close();
});

const call = <T>(request: APIRequestContext, route: string, input: unknown = null) =>
  server.call<T>(request, route, input);

test('during an outage the campaign says it waits for the gateway, and Retry now sends as soon as it is back', async ({
  page,
  request,
}) => {
  // a back-off of five to ten minutes: the test's time limit is two, so only the button can send
  await call(request, 'settings.set', { key: 'retry.initialMs', value: 600_000 });
  await call(request, 'settings.set', { key: 'retry.maxMs', value: 600_000 });
  await call(request, 'settings.set', { key: 'dlr.initialIntervalMs', value: 300 });
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'outage list',
    fields: [],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', {
    importId,
    rows: ['08031230001', '08021230002', '08051230003'].map((phone, i) => ({ row: i + 2, phone, fields: {} })),
  });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  const c = await call<{ id: number }>(request, 'campaigns.create', {
    list: report.list.id,
    from: 'ShopRite',
    name: 'Outage test',
    text: 'Our store opens at 9 on Saturday.',
  });

  await page.goto(`${base}/?key=${KEY}#/campaign/${c.id}`);
  await page.getByRole('button', { name: 'Send now' }).click();
  const box = page.getByTestId('retry-box');
  await expect(box).toContainText('Waiting for the gateway', { timeout: 20_000 });
  await expect(box).toContainText(/503|unavailable/i);
  await expect(box).toContainText(/next try is in about (5|6|7|8|9|10) min/);
  const strip = page.getByTestId('active-strip');
  await expect(strip).toContainText('Outage test: 0 / 3, waiting for the gateway');
  await expect(page.getByTestId('progress-sent')).toHaveText('0 of 3');
  expect(gateway.record().accepted).toHaveLength(0);
  await shot(page, '31-retry-now-outage');

  // The strip's button works from any page, too: go elsewhere, the gateway comes back, retry.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  gateway.setFaults({});
  await strip.getByRole('button', { name: 'Retry now' }).click();
  await expect(strip).not.toContainText('waiting for the gateway', { timeout: 10_000 });
  await expect.poll(() => gateway.record().accepted.length, { timeout: 10_000 }).toBe(1);
  await strip
    .getByRole('link', { name: /Outage test/ })
    .click()
    .catch(() => {
      /* already gone: the campaign finished */
    });
  await page.goto(`${base}/?key=${KEY}#/campaign/${c.id}`);
  await expect(page.getByTestId('progress-sent')).toHaveText('3 of 3');
  await expect(box).toBeHidden();
});

test('with the network down, one box says so with Retry now, and the button sends once the gateway answers', async ({
  page,
  request,
}) => {
  await call(request, 'settings.set', { key: 'retry.initialMs', value: 600_000 });
  await call(request, 'settings.set', { key: 'retry.maxMs', value: 600_000 });
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'offline list',
    fields: [],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', {
    importId,
    rows: ['08031240001', '08031240002'].map((phone, i) => ({ row: i + 2, phone, fields: {} })),
  });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  const c = await call<{ id: number }>(request, 'campaigns.create', {
    list: report.list.id,
    from: 'ShopRite',
    name: 'Offline test',
    text: 'Doors open at 9.',
  });
  // the gateway's port refuses connections for a few seconds: to SMS Desk, the network is down
  const downUntil = Date.now() + 4000;
  gateway.setFaults({ downUntil });
  await page.goto(`${base}/?key=${KEY}#/campaign/${c.id}`);
  await page.getByRole('button', { name: 'Send now' }).click();
  const box = page.getByTestId('retry-box');
  await expect(box).toContainText('Waiting for the gateway', { timeout: 20_000 });
  await expect(page.getByText('Sending stopped:')).toBeHidden();
  await expect(page.getByTestId('progress-sent')).toHaveText('0 of 2');
  // back up: the port answers again
  await expect
    .poll(
      async () => {
        try {
          await fetch(gateway.url);
          return true;
        } catch {
          return false;
        }
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  await box.getByRole('button', { name: 'Retry now' }).click();
  await expect(page.getByTestId('progress-sent')).toHaveText('2 of 2', { timeout: 10_000 });
  await expect(box).toBeHidden();
});
