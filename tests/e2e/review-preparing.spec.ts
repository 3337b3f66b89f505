import { expect, test } from '@playwright/test';
import { ownServer, shot } from './helpers.ts';

// A big list takes a while to become messages (the engine freezes 5,000 contacts at a time): the
// Review page says how far it has come instead of a bare "Starting…".
test('sending to a big list says how far its messages are prepared, then opens the campaign', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  // A server of its own: the campaign sends for the rest of the run, and no other spec should see it.
  const srv = await ownServer();
  try {
    const n = 60_000;
    const { importId } = await srv.call<{ importId: string }>(request, 'imports.begin', {
      list: 'everyone',
      fields: ['first_name'],
      phoneColumn: 'phone',
    });
    for (let i = 0; i < n; i += 2000) {
      const rows = Array.from({ length: Math.min(2000, n - i) }, (_, j) => ({
        row: i + j + 2,
        phone: `0803${String(1_000_000 + i + j).padStart(7, '0')}`,
        fields: { first_name: `Ada ${i + j}` },
      }));
      await srv.call(request, 'imports.add', { importId, rows });
    }
    const report = await srv.call<{ list: { id: number }; valid: number }>(request, 'imports.commit', { importId });
    expect(report.valid).toBe(n);

    // noon on the page's clock: no quiet-hours advice in the way, whenever the suite runs
    const noon = new Date();
    noon.setHours(12, 0, 0, 0);
    await page.clock.setFixedTime(noon);
    await srv.open(page, '#/compose');
    await page.getByLabel('List').selectOption(String(report.list.id));
    await page.getByLabel('Sender ID').fill('ACME');
    await page.getByLabel('Message text').fill('Hello {first_name}, your order is ready.');
    await page.getByRole('button', { name: 'Review and send…' }).click();
    const send = page.getByRole('button', { name: 'Send now in the sandbox to 60,000' });
    await expect(send).toBeEnabled();

    // Every text the status line shows, however briefly, as the page renders it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="preparing"]')?.textContent;
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await send.click();
    await expect(page.getByTestId('campaign-state')).toBeVisible();
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.length, 'the status line showed while the messages were prepared').toBeGreaterThan(0);
    for (const t of seen)
      expect(t).toMatch(
        /^Preparing the messages: [\d,]+ of 60,000 contacts read\. Any campaign already sending goes on meanwhile\.$/,
      );
    await shot(page, 'review-preparing-done');
  } finally {
    await srv.close();
  }
});
