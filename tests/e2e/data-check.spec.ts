import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { call, openApp } from './helpers.ts';

/** The boxes and choices of the data check keep the pages free of serious accessibility faults. */
async function audit(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map(
      (v) =>
        `${v.id}: ${v.help} (${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join('; ')})`,
    ),
    name,
  ).toEqual([]);
}

/** Screenshots the README shows: committed under docs/, unlike the artifacts of other specs. */
async function docShot(page: Page, name: string) {
  await page.screenshot({ path: path.resolve('docs', `${name}.png`), fullPage: true });
}

async function list(
  request: APIRequestContext,
  name: string,
  field: string,
  rows: Array<[string, string]>,
): Promise<number> {
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: name,
    fields: [field],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', {
    importId,
    rows: rows.map(([phone, v], i) => ({ row: i + 2, phone, fields: { [field]: v } })),
  });
  return (await call<{ list: { id: number } }>(request, 'imports.commit', { importId })).list.id;
}

async function compose(page: Page, listId: number, text: string) {
  await openApp(page, '#/compose');
  await page.getByLabel('List').selectOption(String(listId));
  await page.getByLabel('Sender ID').fill('ParcelCo');
  await page.getByLabel('Message text').fill(text);
}

test('a blank Name is caught before sending: fallback, skip, or send knowingly', async ({ page, request }) => {
  const id = await list(request, 'parcels blank', 'Name', [
    ['08051230001', 'Ada'],
    ['08051230002', ''],
    ['08051230003', 'Chidi'],
    ['08051230004', ' '],
  ]);
  await compose(page, id, 'Dear {Name}, your parcel is ready.');

  const check = page.getByTestId('blank-check');
  await expect(check).toContainText('2 recipients have no value for {Name}.');
  await expect(check).toContainText('Dear , your parcel is ready.');
  await expect(check.getByTestId('blank-field')).toContainText('rows 3, 5');
  await expect(page.getByRole('button', { name: 'Review and send…' })).toBeDisabled();
  await expect(page.getByText('give a fallback, leave them out, or choose to send anyway')).toBeVisible();
  await docShot(page, 'compose-data-check');
  await audit(page, 'compose with blank values');

  // The fallback is written into the message, and the check is satisfied.
  await check.getByRole('button', { name: 'Insert {Name|Customer} into the message' }).click();
  await expect(page.getByLabel('Message text')).toHaveValue('Dear {Name|Customer}, your parcel is ready.');
  await expect(check).toBeHidden();
  await expect(page.getByRole('button', { name: 'Review and send…' })).toBeEnabled();

  // Without it, skipping is a choice the Review page repeats, and the send honours it.
  await page.getByLabel('Message text').fill('Dear {Name}, your parcel is ready.');
  await expect(check).toBeVisible();
  // An answer holds for the list it was given for: another list asks again.
  const other = await list(request, 'parcels blank 2', 'Name', [
    ['08051230011', ''],
    ['08051230012', 'Bisi'],
  ]);
  await check.getByLabel('Send to them anyway, with the gap').check();
  await expect(page.getByRole('button', { name: 'Review and send…' })).toBeEnabled();
  await page.reload();
  await page.getByLabel('List').selectOption(String(other));
  await expect(check).toContainText('1 recipient has no value for {Name}.');
  await expect(check.getByLabel('Send to them anyway, with the gap')).not.toBeChecked();
  await expect(page.getByRole('button', { name: 'Review and send…' })).toBeDisabled();
  await page.getByLabel('List').selectOption(String(id));

  await check.getByLabel('Leave these 2 recipients out of this send').check();
  await expect(page.getByTestId('total-parts')).toHaveText('2');
  await page.getByRole('button', { name: 'Review and send…' }).click();
  await expect(page.getByTestId('review-blank')).toHaveText('2 recipients: left out');
  await expect(page.getByTestId('review-recipients')).toHaveText('2');
  await docShot(page, 'review-data-check');
  await page.getByRole('button', { name: 'Send now in the sandbox to 2' }).click();
  await expect(page.getByTestId('campaign-state')).toBeVisible();
  const campaigns = await call<Array<{ recipients: number; template: string }>>(request, 'campaigns.list');
  expect(campaigns[0]).toMatchObject({ recipients: 2, template: 'Dear {Name}, your parcel is ready.' });
});

// 144 characters of GSM-7: one part for a plain name, three once a name's accents make it UCS-2.
const LONG =
  'Hello {First Name}, your order 55123 has left our Lagos warehouse and will reach you within two working days. Reply STOP to opt out of them now.';

test('accented names are costed per recipient, not blamed on the text; a Yoruba message is not told to drop its letters', async ({
  page,
  request,
}) => {
  expect(LONG).toHaveLength(144);
  const names = ['Adéwálé', 'Bola', 'Tunde', 'Ọláṣeun', 'Musa', 'Adéwálé', 'Grace'];
  const id = await list(
    request,
    'accents',
    'First Name',
    names.map((n, i) => [`0806123000${i}`, n]),
  );
  await compose(page, id, LONG);

  const accents = page.getByTestId('accent-check');
  await expect(accents).toContainText('3 recipients get Unicode (UCS-2) because of accents in their own values');
  await expect(accents.locator('mark')).toContainText(['á', 'Ọ', 'ṣ']);
  await expect(page.getByTestId('accent-extra')).toHaveText('6 extra parts, about ₦24');
  await expect(accents).toContainText('Adéwalé');
  // The text itself is GSM-7: no "this character forces Unicode: á … remove it", no "long values".
  await expect(page.getByTestId('nongsm')).toBeHidden();
  await expect(page.getByText('because of long merge-field values')).toBeHidden();
  await expect(page.getByTestId('total-parts')).toHaveText('13');
  await docShot(page, 'compose-accents');
  await audit(page, 'compose with accented names');

  await accents.getByLabel(/Send these values without accents/).check();
  await expect(page.getByTestId('total-parts')).toHaveText('7');
  await expect(page.getByTestId('total-cost')).toHaveText('₦28');

  // Written in Yoruba (tone marks typed as combining marks): the cost is shown, the language kept.
  await page
    .getByLabel('Message text')
    .fill('E\u0323 ku\u0301 a\u0300a\u0301ro\u0323\u0300 {First Name}, e\u0323ru\u0300 yi\u0301n ti de\u0301.');
  const lang = page.getByTestId('language');
  await expect(page.getByRole('button', { name: 'Review and send…' })).toBeEnabled(); // the list's totals are in
  await expect(lang).toContainText('Written in Yoruba.');
  await expect(lang.locator('mark').first()).toHaveText('\u1eb8');
  await expect(lang.locator('mark')).toContainText(['\u1ecd\u0300']);
  for (const m of await lang.locator('mark').allTextContents()) expect(m).not.toMatch(/^\p{M}+$/u);
  await expect(page.getByText(/remove (it|them) to send as GSM-7/)).toBeHidden();
  await expect(page.getByTestId('nongsm')).toBeHidden();
  await expect(accents).toBeHidden();
  await expect(page.getByTestId('total-parts')).toHaveText('7');
  await docShot(page, 'compose-yoruba');
});

test('numbers abroad are flagged on Review and priced per country from Settings', async ({ page, request }) => {
  const id = await list(request, 'abroad', 'Name', [
    ['08051230101', 'Ada'],
    ['+447400123456', 'Tom'],
    ['+233241234567', 'Kofi'],
    ['08051230102', 'Bayo'],
  ]);
  await compose(page, id, 'Hi {Name}, your parcel is ready.');
  await expect(page.getByTestId('destinations')).toContainText('2 recipients are abroad');
  await page.getByRole('button', { name: 'Review and send…' }).click();
  await expect(page.getByTestId('review-foreign')).toHaveText('2 recipients (GB 1, GH 1), priced as a guess');
  await expect(page.getByTestId('destinations')).toContainText('GB 1 at ₦4 per part (a guess)');
  await expect(page.getByTestId('review-cost')).toHaveText('₦16');
  await docShot(page, 'review-foreign');
  await audit(page, 'review with numbers abroad');

  await page.getByTestId('destinations').getByRole('link', { name: 'Settings → Price abroad' }).click();
  await page.getByLabel('Country (two letters)', { exact: true }).fill('gb');
  await page.getByLabel(/^Price per part \(NGN\)$/).fill('30');
  await page.getByRole('button', { name: 'Set price' }).click();
  await expect(page.getByTestId('prices-abroad')).toContainText('GB');
  await audit(page, 'settings with a price abroad');
  await page.getByLabel('Country (two letters)', { exact: true }).fill('G1');
  await page.getByLabel(/^Price per part \(NGN\)$/).fill('25');
  await page.getByRole('button', { name: 'Set price' }).click();
  await expect(page.getByText('Enter the country as its two-letter code')).toBeVisible();

  await openApp(page, '#/review');
  await expect(page.getByTestId('review-foreign')).toHaveText('2 recipients (GB 1, GH 1), priced as a guess');
  await expect(page.getByTestId('destinations')).toContainText('GB 1 at ₦30 per part, GH 1 at ₦4 per part (a guess)');
  await expect(page.getByTestId('review-cost')).toHaveText('₦42');
});
