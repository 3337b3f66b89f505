import { expect, test } from '@playwright/test';
import { ownServer } from './helpers.ts';

let server: Awaited<ReturnType<typeof ownServer>>;
test.beforeAll(async () => {
  server = await ownServer();
});
test.afterAll(async () => {
  await server?.close();
});
const openApp = (page: Parameters<typeof server.open>[0], hash?: string) => server.open(page, hash);
const call = <T>(request: Parameters<typeof server.call>[0], route: string, input?: unknown) =>
  server.call<T>(request, route, input);

/**
 * Issue 12, found 10, in Compose: the empty list picker leads to Import, a 16-digit sender ID is
 * refused in words instead of cut by the field, the GSM fix is one Ctrl+Z away from undone, and
 * the sandbox's Review says it bills nothing.
 * This spec starts from an empty data folder: its own server (helpers.ts ownServer), whatever ran before.
 */
test('compose: empty picker links to Import, a 16-digit sender is explained, the GSM fix can be undone', async ({
  page,
  request,
}) => {
  // Rejected rows: a long reason is cut by its cell, and the whole of it is its tooltip.
  await openApp(page, '#/import');
  await page.getByTestId('import-file').setInputFiles({
    name: 'bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('phone\n08031239999\n0803 not a phone number at all really\n'),
  });
  await expect(page.getByTestId('mapping-table')).toBeVisible();
  await page.getByLabel('Name of the new list').fill('with a bad row');
  await page.getByRole('button', { name: /^Import/ }).click();
  const rejects = page.getByRole('table', { name: 'Rejected rows' });
  const reason = rejects.getByRole('cell').nth(3).locator('span');
  await expect(reason).not.toHaveText('');
  expect(await reason.getAttribute('title')).toBe(await reason.textContent());
  expect(await rejects.getByRole('cell').nth(2).locator('span').getAttribute('title')).toBe(
    '0803 not a phone number at all really',
  );
  await call(request, 'lists.delete', { id: (await call<Array<{ id: number }>>(request, 'lists.list'))[0].id });

  await openApp(page, '#/compose');
  const picker = page.getByLabel('List', { exact: true });
  await expect(picker).toContainText('No lists yet');
  await page.getByRole('link', { name: 'Import a contact list' }).click();
  await expect(page).toHaveURL(/#\/import/);

  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'compose list',
    fields: [],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', { importId, rows: [{ row: 2, phone: '08031230001', fields: {} }] });
  await call(request, 'imports.commit', { importId });
  await openApp(page, '#/compose');
  await expect(page.getByLabel('List', { exact: true })).toHaveValue(/\d+/);

  const sender = page.getByLabel('Sender ID');
  await sender.fill('2348031234567890');
  await expect(sender).toHaveValue('2348031234567890'); // all 16 digits kept: the sentence says what is wrong
  await expect(
    page.getByText('The numeric sender ID has 16 digits; a numeric sender ID may have at most 15.'),
  ).toBeVisible();
  await sender.fill('ACME');

  const text = page.getByLabel('Message text');
  const typed = 'We’re open “today” – come by…';
  await text.fill(typed);
  await page.getByRole('button', { name: /Replace with GSM equivalents/ }).click();
  await expect(text).toHaveValue('We\'re open "today" - come by...');
  await text.press('Control+z');
  await expect(text).toHaveValue(typed);
  // the draft follows the textarea (a reload keeps what the undo brought back)
  await page.reload();
  await expect(page.getByLabel('Message text')).toHaveValue(typed);

  // Review in the sandbox: nothing is billed, and the live figure is named as such.
  await page.getByRole('button', { name: 'Review and send…' }).click();
  const cost = page.getByRole('definition').filter({ has: page.getByTestId('review-cost') });
  await expect(cost).toContainText('Nothing: the sandbox is free.');
  await expect(cost).toContainText(/Sent live, it would cost about ₦\d/);
});
