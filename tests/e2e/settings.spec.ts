import { expect, test } from '@playwright/test';
import { call, openApp, shot } from './helpers.ts';

const DEFAULT_BASE = 'https://app.9bits.net:2096';

test('settings save with clear errors; the token field is a password field, cleared after saving', async ({
  page,
  request,
}) => {
  await openApp(page, '#/settings');
  await expect(page.getByTestId('token-status')).toContainText('sandbox');
  await expect(page.getByTestId('data-dir')).toContainText('smsdesk-e2e');

  try {
    // Keep every request of this test on this machine, even if a token ends up set.
    const base = page.getByLabel('Gateway address');
    await base.fill('http://127.0.0.1:9');
    await base.press('Enter');
    await expect(page.getByText('Saved.').first()).toBeVisible();

    // A bad value is refused beside the field, and the stored value stays.
    const price = page.getByLabel(/Price per SMS part/);
    await price.fill('-1');
    await price.press('Enter');
    // in the field's words, not the internal key or zod's
    const refusal = page
      .getByRole('alert')
      .filter({ hasText: '"-1" is not allowed. The price of one SMS part must be a plain number from 0 to' });
    await expect(refusal).toBeVisible();
    await expect(refusal).not.toContainText('price.perPart');
    await expect(price).toHaveValue('4');
    expect((await call<Record<string, unknown>>(request, 'settings.all'))['price.perPart']).toBe(4);
    await price.fill('5.5');
    await price.press('Tab');
    await expect
      .poll(async () => (await call<Record<string, unknown>>(request, 'settings.all'))['price.perPart'])
      .toBe(5.5);

    // The token goes in through a password field and never shows again.
    const secret = 'e2e-token-0123456789abcdef';
    const field = page.getByLabel(/^(Paste your token|Replace the token)$/);
    await expect(field).toHaveAttribute('type', 'password');
    await field.fill(secret);
    await page.getByRole('button', { name: 'Save token' }).click();
    await expect(field).toHaveValue('');
    // Without a keychain (no D-Bus session) saving fails with the reason; with one, the app goes LIVE.
    const failed = page.getByRole('alert').filter({ hasText: /keychain/i });
    const live = page.getByText('LIVE — messages are sent and billed');
    await expect(failed.or(live).first()).toBeVisible();
    expect(await page.content()).not.toContain(secret);
    await shot(page, '16-settings-token');
    if (await live.isVisible()) {
      await page.getByRole('button', { name: 'Test token' }).click();
      await expect(page.locator('.error-note, .ok-note').first()).toBeVisible();
      // Clearing asks first: "Cancel" keeps the token and the live mode.
      page.once('dialog', (d) => {
        expect(d.message()).toContain('sandbox mode');
        void d.dismiss();
      });
      await page.getByRole('button', { name: 'Clear token' }).click();
      await expect(live).toBeVisible();
      await expect(page.getByTestId('token-status')).toContainText('A token is set');
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Clear token' }).click();
      await expect(page.getByText('Sandbox — nothing is really sent').first()).toBeVisible();
    }
    await expect(page.getByTestId('token-status')).toContainText('sandbox');
  } finally {
    await call(request, 'settings.set', { key: 'gateway.baseUrl', value: DEFAULT_BASE });
    await call(request, 'settings.set', { key: 'price.perPart', value: 4 });
  }
});
