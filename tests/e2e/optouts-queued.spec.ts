import { expect, test } from '@playwright/test';
import { ownServer, shot } from './helpers.ts';

/**
 * A customer replies STOP after the campaign was made: adding the number to the opt-out list says
 * that its queued message will not be sent, and the campaign shows it cancelled with the reason.
 * Taking it off the list again queues that message again.
 * A server of its own: the campaign must not show up in the other specs' lists.
 */
test('a number opted out after the campaign was made: the note says its queued message will not be sent, and the campaign shows why', async ({
  page,
  request,
}) => {
  const srv = await ownServer();
  try {
    const { importId } = await srv.call<{ importId: string }>(request, 'imports.begin', {
      list: 'Saturday customers',
      fields: ['first_name'],
      phoneColumn: 'phone',
    });
    await srv.call(request, 'imports.add', {
      importId,
      rows: ['08031230101', '08031230102', '08031230103'].map((phone, i) => ({
        row: i + 2,
        phone,
        fields: { first_name: ['Ada', 'Bola', 'Chidi'][i] },
      })),
    });
    const report = await srv.call<{ list: { id: number } }>(request, 'imports.commit', { importId });
    const c = await srv.call<{ id: number }>(request, 'campaigns.create', {
      list: report.list.id,
      from: 'ShopRite',
      name: 'Saturday sale',
      text: 'Hello {first_name}, our sale starts on Saturday.',
    });

    await srv.open(page, '#/history');
    await page.getByLabel(/Add numbers/).fill('0803 123 0102');
    await page.getByRole('button', { name: 'Add to opt-outs' }).click();
    await expect(page.getByRole('status').filter({ hasText: '1 added.' })).toHaveText(
      '1 added. 1 queued message to opted-out numbers in a campaign not finished will not be sent.',
    );
    await shot(page, '35-optout-queued');

    await srv.open(page, `#/campaign/${c.id}`);
    // the parts and cost it will send (and be billed) leave out the opted-out recipient's part
    await expect(page.getByTestId('draft-notice').locator('p').first()).toHaveText(
      /3 recipients, 3 parts, about ₦12, .*1 of them opted out since the campaign was made and will not be sent: it sends to 2, 2 parts, about ₦8\.$/,
    );
    const row = page.getByRole('row').filter({ hasText: '+2348031230102' });
    await expect(row).toContainText('the number was added to the opt-out list after the campaign was made');
    await shot(page, '36-optout-queued-campaign');
    const status = await srv.call<{ counts: Record<string, number> }>(request, 'campaigns.status', { id: c.id });
    expect(status.counts).toMatchObject({ queued: 2, cancelled: 1 });

    // taken off the list again (by mistake, or the customer asked): the draft gets the message back
    await srv.open(page, '#/history');
    await page.getByRole('button', { name: 'Remove +2348031230102 from the opt-out list' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'can receive messages again' })).toHaveText(
      '+2348031230102 can receive messages again. 1 message that the opt-out had cancelled in a campaign not finished will be sent after all.',
    );
    await shot(page, '37-optout-removed');
    await srv.open(page, `#/campaign/${c.id}`);
    await expect(page.getByTestId('draft-notice').locator('p').first()).not.toContainText('opted out');
    await expect(page.getByRole('row').filter({ hasText: '+2348031230102' })).toContainText('Waiting to send');
    const after = await srv.call<{ counts: Record<string, number> }>(request, 'campaigns.status', { id: c.id });
    expect(after.counts).toMatchObject({ queued: 3, cancelled: 0 });
  } finally {
    await srv.close();
  }
});
