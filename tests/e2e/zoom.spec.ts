import { expect, test } from '@playwright/test';
import { call, openApp, shot } from './helpers.ts';

// A 1280-pixel-wide window at 125 % zoom lays out like a 1024-pixel one.
test.use({ viewport: { width: 1024, height: 720 }, deviceScaleFactor: 1.25 });

test('every page fits a 1280 px window at 125 % zoom without sideways scrolling', async ({ page, request }) => {
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'zoom list',
    fields: ['first_name', 'city'],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', {
    importId,
    rows: [{ row: 2, phone: '08061230001', fields: { first_name: 'Oluwaseun', city: 'Port Harcourt' } }],
  });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  const c = await call<{ id: number }>(request, 'campaigns.create', {
    list: report.list.id,
    from: 'Zoom',
    text: 'Hello {first_name} of {city}',
  });

  const pages: Array<[string, string]> = [
    ['#/import', 'Import contacts'],
    ['#/compose', 'Compose'],
    ['#/review', 'Review and send'],
    [`#/campaign/${c.id}`, 'Hello'],
    ['#/history', 'History'],
    ['#/settings', 'Settings'],
  ];
  await openApp(page, '#/import');
  for (const [hash, heading] of pages) {
    await page.evaluate((h) => {
      window.location.hash = h;
    }, hash);
    if (hash === '#/compose') {
      await page.getByLabel('List').selectOption(String(report.list.id));
      await page.getByLabel('Message text').fill('Hello {first_name} of {city}, your parcel is at the depot.');
      await expect(page.getByTestId('recipient-preview')).toContainText('Oluwaseun');
    }
    await expect(page.getByRole('heading', { level: 1 }).first()).toContainText(heading === 'Hello' ? '' : heading);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${hash} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
    await shot(page, `zoom-${hash.replace(/[#/]+/g, '-').replace(/^-|-\d+$/g, '') || 'import'}`);
  }
});
