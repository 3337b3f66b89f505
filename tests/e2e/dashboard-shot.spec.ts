import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ARTIFACTS, call, openApp, shot } from './helpers.ts';

type Status = { counts: Record<string, number>; recipients: number; state: string };

/**
 * The dashboard mid-campaign, for the README: 400 recipients sent slowly enough that the
 * picture shows progress, rate and ETA, and delivery reports arriving.
 */
test('dashboard while a campaign is delivered; cancel with confirmation; re-send to the failed only', async ({
  page,
  request,
}) => {
  await call(request, 'settings.set', { key: 'dlr.initialIntervalMs', value: 300 });
  await call(request, 'settings.set', { key: 'dlr.maxIntervalMs', value: 1000 });
  await call(request, 'settings.set', { key: 'rate.recipientsPerRequest', value: 10 });
  // Personalised texts differ, so each request carries one recipient: the rate is requests per second.
  await call(request, 'settings.set', { key: 'rate.requestsPerSecond', value: 8 });
  const names = ['Ada', 'Bayo', 'Chioma', 'Dayo', 'Emeka', 'Funke', 'Gbenga', 'Halima', 'Ifeoma', 'Kemi'];
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'Lagos customers',
    fields: ['first_name'],
    phoneColumn: 'phone',
  });
  const rows = Array.from({ length: 400 }, (_, i) => ({
    row: i + 2,
    phone: `0803${String(2000000 + i).padStart(7, '0')}`,
    fields: { first_name: names[i % names.length] },
  }));
  await call(request, 'imports.add', { importId, rows });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  const c = await call<{ id: number }>(request, 'campaigns.create', {
    list: report.list.id,
    from: 'ShopRite',
    name: 'November promo',
    text: 'Hi {first_name}, 20% off everything this weekend at ShopRite Lekki. Show this SMS at the till. Reply STOP to opt out.',
  });
  await call(request, 'campaigns.send', { id: c.id });

  await page.setViewportSize({ width: 1200, height: 1000 });
  await openApp(page, `#/campaign/${c.id}`);
  await expect(page.getByTestId('campaign-state')).toBeVisible();
  // Wait until reports have started to arrive while sending still goes on.
  await expect
    .poll(
      async () => {
        const s = await call<Status>(request, 'campaigns.status', { id: c.id });
        return s.counts.delivered > 120 && s.counts.queued > 80;
      },
      { timeout: 60_000, intervals: [250] },
    )
    .toBe(true);
  await expect(page.locator('.legend')).not.toContainText('Delivered: 0');
  const file = path.join(ARTIFACTS, '10-dashboard-live.png');
  await page.screenshot({ path: file, clip: { x: 0, y: 0, width: 1200, height: 815 } });
  expect(fs.statSync(file).size).toBeLessThan(300_000);

  // Cancel asks first; then the failed ones go again, as a new campaign of their own.
  await page.getByRole('button', { name: 'Cancel…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this campaign?' });
  await expect(dialog).toContainText('cannot be undone');
  await dialog.getByRole('button', { name: 'Keep going' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Cancel…' }).click();
  await dialog.getByRole('button', { name: 'Cancel the campaign' }).click();
  await expect(page.getByTestId('campaign-state')).toHaveText('Cancelled');
  // Wait for every handed-over message to settle, then re-send to the failed only.
  await expect
    .poll(
      async () => {
        const s = await call<Status>(request, 'campaigns.status', { id: c.id });
        return s.counts.accepted + s.counts.sent + s.counts.submitting;
      },
      { timeout: 60_000, intervals: [250] },
    )
    .toBe(0);
  const s = await call<Status>(request, 'campaigns.status', { id: c.id });
  const failed = s.counts.failed + s.counts.rejected + s.counts.expired;
  test.skip(failed === 0, 'the sandbox failed no one this time');
  await page.getByRole('button', { name: `Re-send to failed only (${failed})` }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'November promo (re-send to failed)' })).toBeVisible();
  await expect(page.getByTestId('campaign-state')).toHaveText('Not started');
  await expect(page.getByTestId('draft-notice')).toContainText(`${failed} recipients`);
  await page.getByRole('button', { name: 'Send now' }).click();
  await expect(page.getByTestId('progress-final')).toHaveText(`${failed} of ${failed}`, { timeout: 60_000 });
  const delivered = await page.getByTestId('count-delivered').textContent();
  await expect(page.locator('.legend')).toContainText(`Delivered: ${delivered}`);
  await shot(page, '13-resend-failed');
});
