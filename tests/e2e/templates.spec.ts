import { expect, test } from '@playwright/test';
import { call, openApp } from './helpers.ts';

/**
 * Build 3 of issue 12: saved message templates in Compose (save, name, pick, edit, rename,
 * delete), and the list and template chosen last still there after a reload.
 */
test('templates are saved, picked, edited, renamed and deleted; the last list and template survive a reload', async ({
  page,
  request,
}) => {
  for (const name of ['Lagos shoppers', 'Abuja shoppers']) {
    const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
      list: name,
      fields: [],
      phoneColumn: 'phone',
    });
    await call(request, 'imports.add', { importId, rows: [{ row: 2, phone: '08031230001', fields: {} }] });
    await call(request, 'imports.commit', { importId });
  }
  await openApp(page, '#/compose');
  const listPicker = page.getByLabel('List', { exact: true });
  await listPicker.selectOption({ label: 'Lagos shoppers (1 contact)' });
  const sender = page.getByLabel('Sender ID');
  const text = page.getByLabel('Message text');
  await sender.fill('ACME');
  await text.fill('We open at 9 on Saturday.');

  // Save as a new template, named.
  await page.getByRole('button', { name: 'Save as new template…' }).click();
  await page.getByLabel('Name of the new template').fill('Saturday opening');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as “Saturday opening”.' })).toBeVisible();
  const picker = page.getByLabel('Saved message');
  await expect(picker).toHaveValue(/\d+/);

  // A second one; a taken name is refused in a sentence.
  await text.fill('Your order is ready for pick-up.');
  await page.getByRole('button', { name: 'Save as new template…' }).click();
  await page.getByLabel('Name of the new template').fill('saturday opening');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'There is already a template called "Saturday opening"' }),
  ).toBeVisible();
  await page.getByLabel('Name of the new template').fill('Order ready');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved as “Order ready”.' })).toBeVisible();

  // Pick the first: sender and text come back. Edit it and save the change over it.
  await picker.selectOption({ label: 'Saturday opening' });
  await expect(text).toHaveValue('We open at 9 on Saturday.');
  await text.fill('We open at 8 on Saturday.');
  await page.getByRole('button', { name: 'Save changes to “Saturday opening”' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved “Saturday opening”.' })).toBeVisible();

  // Rename it.
  await page.getByRole('button', { name: 'Rename…' }).click();
  await page.getByLabel('New name for “Saturday opening”').fill('Weekend opening');
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await expect(picker.locator('option:checked')).toHaveText('Weekend opening');

  // A reload (the draft of this tab gone too, as after a restart) opens with the same list and template.
  await page.evaluate(() => sessionStorage.removeItem('smsdesk.draft'));
  await page.reload();
  await expect(page.getByLabel('List', { exact: true }).locator('option:checked')).toHaveText(
    'Lagos shoppers (1 contact)',
  );
  await expect(page.getByLabel('Saved message').locator('option:checked')).toHaveText('Weekend opening');
  await expect(page.getByLabel('Message text')).toHaveValue('We open at 8 on Saturday.');
  await expect(page.getByLabel('Sender ID')).toHaveValue('ACME');

  // Delete asks first; Cancel keeps it, OK deletes it and leaves the text being written.
  page.once('dialog', (d) => void d.dismiss());
  await page.getByRole('button', { name: 'Delete template' }).click();
  await expect(page.getByLabel('Saved message').locator('option')).toHaveText([
    'None (write a new one)',
    'Order ready',
    'Weekend opening',
  ]);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete template' }).click();
  await expect(page.getByLabel('Saved message').locator('option')).toHaveText([
    'None (write a new one)',
    'Order ready',
  ]);
  await expect(page.getByLabel('Message text')).toHaveValue('We open at 8 on Saturday.');
  expect((await call<Array<{ name: string }>>(request, 'templates.list')).map((t) => t.name)).toEqual(['Order ready']);
});
