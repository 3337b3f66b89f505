/** The data check as the CLI says it: which recipients the choices concern, and the flags that change them. */
import type { CampaignPreview } from '../api.ts';
import { blankMessage } from '../campaigns/datacheck.ts';
import { UsageError } from './args.ts';

export type BlankFlag = 'skip' | 'send' | undefined;
export type AccentFlag = 'keep' | 'strip' | undefined;

export function blankFlag(v: string | undefined): BlankFlag {
  if (v === undefined || v === 'skip' || v === 'send') return v;
  throw new UsageError(
    '--blank is `skip` (leave out the recipients with a blank merge value) or `send` (send them the message with the gap).',
  );
}

export function accentFlag(v: string | undefined): AccentFlag {
  if (v === undefined || v === 'keep' || v === 'strip') return v;
  throw new UsageError(
    '--accents is `keep` (send names as written, in Unicode) or `strip` (send those values without accents, in GSM-7).',
  );
}

/** The refusal when blank values were found and no choice was made: one sentence with the three ways on. */
export function blankRefusal(pv: CampaignPreview): Error {
  const message = blankMessage(
    pv.blank.map((b) => ({ ...b, field: `{${b.field}}` })),
    {
      fallback: (f) => `add a fallback to the text such as ${f.slice(0, -1)}|Customer}`,
      skip: 'pass --blank skip to leave them out',
      send: '--blank send to send them the message with the gap',
    },
  );
  return Object.assign(new Error(message), { code: 'BLANK_VALUES' });
}

const money = (n: number, currency: string) => `${n.toFixed(2)} ${currency}`;

function rows(b: CampaignPreview['blank'][number]): string {
  return b.rows.slice(0, 5).join(', ') + (b.count > 5 ? ` and ${b.count - 5} more` : '');
}

/** Lines for what the data check found, under the choices made (blank, accents). */
export function dataCheckLines(pv: CampaignPreview, blank: BlankFlag, accents: AccentFlag): string[] {
  const out: string[] = [];
  for (const b of pv.blank) {
    const who = `${b.count} recipient${b.count === 1 ? '' : 's'} with a blank {${b.field}} (row${b.count === 1 ? '' : 's'} ${rows(b)})`;
    if (blank === 'skip') out.push(`Left out: ${who}.`);
    else if (blank === 'send') out.push(`Sent with the gap, as you chose: ${who}.`);
    else
      out.push(
        `Blank values: ${who}; choose --blank skip or --blank send, or add a fallback such as {${b.field}|Customer}.`,
      );
  }
  const a = pv.accents;
  if (a.recipients > 0) {
    const chars = a.chars.map((c) => c.shown).join(' ');
    const eg = a.sample[0] ? ` (${a.sample[0].value} → ${a.sample[0].plain})` : '';
    if (a.stripped)
      out.push(
        `${a.recipients} recipient${a.recipients === 1 ? '' : 's'}' values sent without accents${eg}: ${a.extraParts} part(s) saved, about ${money(a.extraCost, pv.currency)}.`,
      );
    else if (a.extraParts > 0)
      out.push(
        `${a.recipients} recipient${a.recipients === 1 ? ' goes' : 's go'} Unicode (UCS-2) because of accents in their own values (${chars}): ${a.extraParts} extra part(s), about ${money(a.extraCost, pv.currency)}. Pass --accents strip to send those values without accents${eg}.`,
      );
    else
      out.push(
        `${a.recipients} recipient${a.recipients === 1 ? ' goes' : 's go'} Unicode (UCS-2) because of their own values (${chars}), at no extra part.`,
      );
  }
  if (pv.languages.length)
    out.push(
      `Written in ${pv.languages.join(' and ')}: sent as Unicode (UCS-2, 70 characters per part), counted in the cost above.`,
    );
  if (pv.destinations.length) {
    const n = pv.destinations.reduce((s, d) => s + d.recipients, 0);
    const each = pv.destinations
      .map(
        (d) =>
          `${d.country} ${d.recipients} at ${money(d.pricePerPart, pv.currency)} per part${d.guessed ? ' (a guess)' : ''}`,
      )
      .join(', ');
    const guess = pv.destinations.some((d) => d.guessed)
      ? `; set the real prices with \`smsdesk config set price.perCountry '{"GB": 30}'\``
      : '';
    out.push(`${n} recipient${n === 1 ? '' : 's'} abroad: ${each}${guess}.`);
  }
  return out;
}

/** The data check as JSON, for scripts. */
export function dataCheckJson(pv: CampaignPreview) {
  return {
    blank: pv.blank,
    blankRecipients: pv.blankRecipients,
    accents: pv.accents,
    languages: pv.languages,
    destinations: pv.destinations,
  };
}
