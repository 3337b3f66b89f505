import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ARTIFACTS, call, openApp } from './helpers.ts';

type Status = { counts: Record<string, number>; recipients: number; state: string };

/**
 * The dashboard mid-campaign, for the README: 400 recipients sent slowly enough that the
 * picture shows progress, rate and ETA, and delivery reports arriving.
 */
test('dashboard while a campaign is being delivered', async ({ page, request }) => {
  await call(request, 'settings.set', { key: 'dlr.initialIntervalMs', value: 300 });
  await call(request, 'settings.set', { key: 'dlr.maxIntervalMs', value: 1000 });
  await call(request, 'settings.set', { key: 'rate.recipientsPerRequest', value: 10 });
  // Personalised texts differ, so each request carries one recipient: the rate is requests per second.
  await call(request, 'settings.set', { key: 'rate.requestsPerSecond', value: 8 });
  const names = ['Ada', 'Bayo', 'Chioma', 'Dayo', 'Emeka', 'Funke', 'Gbenga', 'Halima', 'Ifeoma', 'Kemi'];
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', { list: 'Lagos customers', fields: ['first_name'], phoneColumn: 'phone' });
  const rows = Array.from({ length: 400 }, (_, i) => ({ row: i + 2, phone: `0803${String(2000000 + i).padStart(7, '0')}`, fields: { first_name: names[i % names.length] } }));
  await call(request, 'imports.add', { importId, rows });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  const c = await call<{ id: number }>(request, 'campaigns.create', {
    list: report.list.id, from: 'ShopRite', name: 'November promo', text: 'Hi {first_name}, 20% off everything this weekend at ShopRite Lekki. Show this SMS at the till. Reply STOP to opt out.',
  });
  await call(request, 'campaigns.send', { id: c.id });

  await page.setViewportSize({ width: 1200, height: 1000 });
  await openApp(page, `#/campaign/${c.id}`);
  await expect(page.getByTestId('campaign-state')).toBeVisible();
  // Wait until reports have started to arrive while sending still goes on.
  await expect.poll(async () => {
    const s = await call<Status>(request, 'campaigns.status', { id: c.id });
    return s.counts.delivered > 120 && s.counts.queued > 80;
  }, { timeout: 60_000, intervals: [250] }).toBe(true);
  await expect(page.locator('.legend')).not.toContainText('Delivered: 0');
  const file = path.join(ARTIFACTS, '10-dashboard-live.png');
  await page.screenshot({ path: file, clip: { x: 0, y: 0, width: 1200, height: 815 } });
  expect(fs.statSync(file).size).toBeLessThan(300_000);
  // Leave nothing sending for the next test.
  await call(request, 'campaigns.cancel', { id: c.id });
});
