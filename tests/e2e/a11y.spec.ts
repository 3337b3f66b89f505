import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { call, openApp, shot } from './helpers.ts';

async function audit(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join('\n  ')}`,
    )
    .join('\n');
  expect(bad, `${name}:\n${text}`).toEqual([]);
}

test('every page has no serious or critical accessibility violations', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  // A list and a finished campaign of its own, made through the same API the page uses.
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'a11y list',
    fields: ['first_name'],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', {
    importId,
    rows: [
      { row: 2, phone: '08031230001', fields: { first_name: 'Ada' } },
      { row: 3, phone: '08031230002', fields: { first_name: 'Bayo' } },
      { row: 4, phone: '12', fields: { first_name: 'Bad' } },
    ],
  });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  const campaign = await call<{ id: number }>(request, 'campaigns.create', {
    list: report.list.id,
    from: 'A11y',
    text: 'Hi {first_name}',
  });

  await openApp(page, '#/import');
  await expect(page.getByRole('heading', { level: 1, name: 'Import contacts' })).toBeVisible();
  await audit(page, 'import');

  await page.getByTestId('import-file').setInputFiles({
    name: 'people.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('name,phone\nAda,08031230001\nBayo,08031230002\n'),
  });
  await expect(page.getByTestId('mapping-table')).toBeVisible();
  await audit(page, 'import mapping');

  await page.getByRole('link', { name: 'Compose' }).click();
  await page.getByLabel('List').selectOption(String(report.list.id));
  await page.getByLabel('Sender ID').fill('A11y');
  await page.getByLabel('Message text').fill('Hi {first_name} “friend”');
  await expect(page.getByTestId('nongsm')).toBeVisible();
  await expect(page.getByTestId('recipient-preview')).toContainText('Hi ');
  await audit(page, 'compose');

  await page.getByRole('button', { name: 'Review and send…' }).click();
  await expect(page.getByTestId('review-recipients')).toHaveText('2');
  await page.getByLabel('Schedule for later').check();
  await audit(page, 'review');

  await openApp(page, `#/campaign/${campaign.id}`);
  await expect(page.getByTestId('campaign-state')).toHaveText('Not started');
  await audit(page, 'dashboard');
  await page.getByRole('button', { name: 'Cancel…' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await audit(page, 'cancel dialog');
  await page.getByRole('button', { name: 'Keep going' }).click();

  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Opt-out list' })).toBeVisible();
  await page.getByRole('button', { name: 'Contacts', exact: true }).first().click();
  await audit(page, 'history');

  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByTestId('data-dir')).not.toHaveText('…');
  await audit(page, 'settings');
  await shot(page, 'a11y-settings');

  // Keyboard: from a fresh page, Tab reaches the skip link, then the navigation, which follows Enter.
  await openApp(page, '#/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Import contacts' })).toBeVisible();
  expect(errors, errors.join('\n')).toEqual([]);
});
