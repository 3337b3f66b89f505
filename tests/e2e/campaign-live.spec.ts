import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { call, openApp, shot } from './helpers.ts';

type Status = { id: number; state: string; recipients: number; counts: Record<string, number>; rate: number };

/**
 * Findings 6 and 9 of issue 12: the running campaign is in sight on every page and after a
 * reload, the rate tile never claims more than the gateway saw, and delivery splits by network.
 */
const NETWORK_NUMBERS: Array<[string, string[]]> = [
  ['MTN', ['0803', '0806', '0703', '0813', '0906']],
  ['Airtel', ['0802', '0808', '0901']],
  ['Glo', ['0805', '0815']],
  ['9mobile', ['0809', '0818']],
  ['Other Nigerian', ['0804']],
];

function rowsFor(count: number) {
  const rows: Array<{ row: number; phone: string; fields: Record<string, string> }> = [];
  const names = ['Ada', 'Bayo', 'Chioma', 'Dayo', 'Emeka', 'Funke'];
  const prefixes = NETWORK_NUMBERS.flatMap(([, p]) => p);
  for (let i = 0; i < count - 2; i++) {
    rows.push({
      row: i + 2,
      phone: `${prefixes[i % prefixes.length]}${String(3000000 + i).padStart(7, '0')}`,
      fields: { first_name: names[i % names.length] },
    });
  }
  rows.push({ row: count, phone: '+447911123456', fields: { first_name: 'Gbenga' } });
  rows.push({ row: count + 1, phone: '+233241234567', fields: { first_name: 'Halima' } });
  return rows;
}

async function noSeriousViolations(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map(
      (v) =>
        `${v.id}: ${v.help} at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    ),
    name,
  ).toEqual([]);
}

async function rateShown(page: Page): Promise<number> {
  const t = (await page.getByTestId('rate').textContent()) ?? '';
  const m = /([\d.]+) \/ s/.exec(t);
  if (!m) throw new Error(`the rate tile reads ${JSON.stringify(t)}`);
  return Number(m[1]);
}

test('the sending campaign is in sight on every page and after a reload; the rate never tops the limit; delivery by network', async ({
  page,
  request,
}) => {
  // Record the page's notifications (the browser would show them on the desktop).
  // The browser's question is answered "Allow" the moment it is asked; the test counts when it was asked.
  await page.addInitScript(() => {
    const w = window as unknown as {
      shownNotices: Array<{ title: string; body?: string }>;
      askedToNotify: number;
      Notification: unknown;
    };
    w.shownNotices = [];
    w.askedToNotify = Number(sessionStorage.getItem('test.asked') ?? 0);
    // a browser remembers the answer across reloads
    class Recorder {
      static permission = sessionStorage.getItem('test.permission') ?? 'default';
      static requestPermission = async () => {
        sessionStorage.setItem('test.asked', String(++w.askedToNotify));
        sessionStorage.setItem('test.permission', (Recorder.permission = 'granted'));
        return 'granted';
      };
      onclick: unknown = null;
      constructor(title: string, opts?: { body?: string }) {
        w.shownNotices.push({ title, body: opts?.body });
      }
      close() {}
    }
    w.Notification = Recorder;
  });
  await call(request, 'settings.set', { key: 'rate.requestsPerSecond', value: 5 });
  await call(request, 'settings.set', { key: 'dlr.initialIntervalMs', value: 300 });
  await call(request, 'settings.set', { key: 'dlr.maxIntervalMs', value: 1000 });
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', {
    list: 'Saturday list',
    fields: ['first_name'],
    phoneColumn: 'phone',
  });
  await call(request, 'imports.add', { importId, rows: rowsFor(80) });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  // Personalised: one recipient per request, so 80 requests at 5 / s take 16 s.
  const c = await call<{ id: number }>(request, 'campaigns.create', {
    list: report.list.id,
    from: 'ShopRite',
    name: 'Saturday opening',
    text: 'Hi {first_name}, our Lekki store opens this Saturday at 9. Reply STOP to opt out.',
  });

  // Sent from its dashboard, as the user would; the app was opened on a page of its own.
  await openApp(page, `#/campaign/${c.id}`);
  await expect(page.getByRole('button', { name: 'Send now' })).toBeVisible();
  // never asked on page load, only with the first send
  expect(await page.evaluate(() => (window as unknown as { askedToNotify: number }).askedToNotify)).toBe(0);
  await page.getByRole('button', { name: 'Send now' }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { askedToNotify: number }).askedToNotify)).toBe(1);
  const strip = page.getByTestId('active-strip');
  await expect(strip).toContainText(/Saturday opening: [\d,]+ \/ 80, sending/);

  // On every page.
  for (const [link, heading] of [
    ['Import contacts', /Import/],
    ['Compose', /Compose|Write/],
    ['Review and send', /Review/],
    ['History', /History/],
    ['Settings', /Settings/],
  ] as const) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(heading);
    await expect(strip).toContainText(/Saturday opening: [\d,]+ \/ 80, sending/);
  }
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import contacts' }).click();
  await shot(page, '30-active-strip-import');
  await noSeriousViolations(page, 'import page with the strip');
  await page.screenshot({ path: 'docs/active-strip.png', clip: { x: 0, y: 0, width: 1280, height: 260 } });

  // A reload keeps the strip; a fresh start (no page in the address) opens on the campaign.
  await page.reload();
  await expect(strip).toContainText('Saturday opening');
  await openApp(page);
  await expect(page).toHaveURL(new RegExp(`#/campaign/${c.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Saturday opening' })).toBeVisible();

  // The rate tile, read while sending: never above 5 / s, and near it once under way.
  const seen: number[] = [];
  await expect
    .poll(
      async () => {
        seen.push(await rateShown(page));
        const s = await call<Status>(request, 'campaigns.status', { id: c.id });
        return s.counts.queued < 40;
      },
      { timeout: 30_000, intervals: [200] },
    )
    .toBe(true);
  expect(Math.max(...seen)).toBeLessThanOrEqual(5);
  expect(Math.max(...seen)).toBeGreaterThanOrEqual(3.5);
  await expect(page.getByText('limit 5.0 / s')).toBeVisible();
  await page.screenshot({ path: 'docs/dashboard-sending.png', clip: { x: 0, y: 0, width: 1280, height: 900 } });

  // Paused: the gateway sees nothing, and the tile says 0.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('rate')).toHaveText('0 / s');
  await expect(strip).toContainText(/Saturday opening: [\d,]+ \/ 80, paused/);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(strip).toContainText('sending');

  // To the end: every report final, the strip gone, the browser told.
  await expect
    .poll(
      async () => {
        const s = await call<Status>(request, 'campaigns.status', { id: c.id });
        return (
          s.state === 'completed' && s.counts.accepted + s.counts.sent + s.counts.queued + s.counts.submitting === 0
        );
      },
      { timeout: 90_000, intervals: [500] },
    )
    .toBe(true);
  await expect(strip).toBeHidden();
  await expect
    .poll(() =>
      page.evaluate(() =>
        (window as unknown as { shownNotices: Array<{ title: string }> }).shownNotices.map((n) => n.title),
      ),
    )
    .toContain('Saturday opening is sent');

  // Delivery by network: a row per network, adding up to the tiles; the legend says the same.
  const table = page.getByTestId('networks');
  await expect(table.locator('tbody tr')).toHaveCount(6, { timeout: 10_000 });
  const s = await call<Status>(request, 'campaigns.status', { id: c.id });
  const delivered = s.counts.delivered;
  const failed = s.counts.failed + s.counts.rejected + s.counts.expired;
  await expect(page.getByTestId('count-delivered')).toHaveText(String(delivered));
  await expect(page.locator('.legend [data-series="delivered"]')).toContainText(`Delivered: ${delivered}`);
  await expect(page.locator('.legend [data-series="failed"]')).toContainText(`: ${failed}`);
  await expect
    .poll(async () => {
      const cells = async (col: string) =>
        (await table.locator(`td[data-col="${col}"]`).allTextContents()).reduce(
          (a, t) => a + Number(t.replace(/,/g, '')),
          0,
        );
      return [await cells('delivered'), await cells('failed'), await cells('pending')];
    })
    .toEqual([delivered, failed, 0]);
  for (const name of ['MTN', 'Airtel', 'Glo', '9mobile', 'Other Nigerian', 'Abroad'])
    await expect(table.getByRole('rowheader', { name })).toBeVisible();
  await expect(table.locator('tr[data-network="MTN"] td').first()).toHaveText('30');
  await expect(table.locator('tr[data-network="foreign"] td').first()).toHaveText('2');

  const section = page.getByRole('region', { name: 'Delivery by network' });
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: 'docs/dashboard-networks.png' });
  await noSeriousViolations(page, 'dashboard with the network table');

  // The export carries the same network names.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export results (CSV)' }).click();
  const file = await (await download).path();
  const csv = (await import('node:fs'))
    .readFileSync(file!, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const col = csv[0].split(',').indexOf('network');
  const names = new Set(
    csv
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(',')[col]),
  );
  expect([...names].sort()).toEqual(['9mobile', 'Abroad', 'Airtel', 'Glo', 'MTN', 'Other Nigerian']);
});
