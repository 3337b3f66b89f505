import { expect, test } from '@playwright/test';
import { call, openApp, shot } from './helpers.ts';

test('unknown merge fields block sending; quiet hours warn; a campaign is scheduled in the app', async ({
  page,
  request,
}) => {
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'evening list',
    fields: ['first_name'],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', {
    importId,
    rows: [
      { row: 2, phone: '08051230001', fields: { first_name: 'Ada' } },
      { row: 3, phone: '08051230002', fields: { first_name: 'Bayo' } },
    ],
  });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });

  // 21:30 today on the page's clock (timers still run): inside the 20:00-08:00 quiet hours.
  const evening = new Date();
  evening.setHours(21, 30, 0, 0);
  await page.clock.setFixedTime(evening);
  await openApp(page, '#/compose');
  await page.getByLabel('List').selectOption(String(report.list.id));
  await page.getByLabel('Sender ID').fill('Evening');

  // A misspelt merge field is an error that blocks the way to sending.
  await page.getByLabel('Message text').fill('Hi {frist_name}, see you tomorrow.');
  await expect(page.getByRole('alert').filter({ hasText: 'Unknown merge field {frist_name}' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Review and send…' })).toBeDisabled();
  await page.getByLabel('Message text').fill('Hi {first_name}, see you tomorrow.');
  await expect(page.getByRole('button', { name: 'Review and send…' })).toBeEnabled();
  await page.getByRole('button', { name: 'Review and send…' }).click();

  const warning = page.getByTestId('quiet-hours');
  await expect(warning).toContainText('It is 21:30 now');
  await expect(warning).toContainText('between 20:00 and 08:00');
  await shot(page, '14-quiet-hours');

  // One click moves it to 08:00 tomorrow, which is outside quiet hours.
  await warning.getByRole('button', { name: /^Schedule for .* 08:00$/ }).click();
  await expect(warning).toBeHidden();
  await expect(page.getByLabel('Schedule for later')).toBeChecked();
  await expect(page.getByLabel('Date and time')).toHaveValue(/T08:00$/);
  await expect(page.getByText('you can still pause or cancel, but this computer must be on')).toBeVisible();
  await expect(page.getByText('sent even if this computer is off')).toBeVisible();
  await expect(page.getByTestId('review-summary')).toContainText('held by SMS Desk');
  await shot(page, '15-schedule');

  await page.getByRole('button', { name: 'Schedule in the sandbox to 2' }).click();
  await expect(page.getByTestId('campaign-state')).toHaveText('Scheduled');
  await expect(page.getByText(/scheduled for .* 08:00/)).toBeVisible();
  // The sender is remembered for next time.
  const settings = await call<Record<string, unknown>>(request, 'settings.all');
  expect(settings['sender.last']).toBe('Evening');
  expect(settings['sender.recent']).toContain('Evening');

  await page.getByRole('button', { name: 'Cancel…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel the campaign' }).click();
  await expect(page.getByTestId('campaign-state')).toHaveText('Cancelled');
});
