/**
 * The data check shared by preview and create: one recipient's message under the user's choices
 * for blank values and accents, and the running tallies the preview reports.
 */
import {
  analyze,
  bareFields,
  blankIn,
  compileTemplate,
  fieldsWithoutAccents,
  parseTemplate,
  resolveField,
  templateLanguages,
  unicodeCulprits,
  type BareField,
  type CompiledTemplate,
} from '../../../shared/sms/index.ts';

export type BlankChoice = 'skip' | 'send';
export type AccentChoice = 'keep' | 'strip';

export interface Rendered {
  text: string;
  /** fields without a fallback whose value is blank for this recipient */
  blank: BareField[];
  /** the message is Unicode only because of this recipient's values (the template alone is GSM-7) */
  byValues: boolean;
  /** parts the message would take with the values' accents removed (= parts when not byValues) */
  plainParts: number;
  /** parts with the values as they are in the list */
  keptParts: number;
  parts: number;
  encoding: 'GSM-7' | 'UCS-2';
}

export function makeRenderer(text: string, fieldNames: readonly string[], accents: AccentChoice = 'keep') {
  const compiled = compileTemplate(text, fieldNames) as Extract<CompiledTemplate, { ok: true }>;
  const bare = bareFields(text, fieldNames);
  let literal = '';
  const used: string[] = [];
  for (const t of parseTemplate(text).tokens) {
    if (t.kind === 'text') literal += t.text;
    else {
      const h = resolveField(t.name, fieldNames);
      if (h !== null && !used.includes(h)) used.push(h);
    }
  }
  // A template written in Unicode (Yoruba, Hausa, Igbo…) costs Unicode whatever the values hold:
  // stripping a name's accents would then save nothing and only misspell it.
  const literalGsm = analyze(literal).encoding === 'GSM-7';
  const languages = templateLanguages(text);
  let lastText: string | null = null;
  let lastA = analyze('');

  function measure(t: string) {
    if (t !== lastText) {
      lastA = analyze(t);
      lastText = t;
    }
    return lastA;
  }

  function render(fields: Record<string, string>): Rendered {
    const blank = bare.length ? blankIn(bare, fields) : [];
    let out = compiled.render(fields);
    let a = measure(out);
    let byValues = false;
    let plainParts = a.parts;
    const keptParts = a.parts;
    if (a.encoding === 'UCS-2' && literalGsm) {
      byValues = true;
      const plain = compiled.render(fieldsWithoutAccents(fields));
      const p = analyze(plain);
      plainParts = p.parts;
      if (accents === 'strip') {
        out = plain;
        a = measure(plain);
      }
    }
    return { text: out, blank, byValues, plainParts, keptParts, parts: a.parts, encoding: a.encoding };
  }

  /** the first used field whose value forces Unicode, with the characters that do */
  function culpritField(fields: Record<string, string>): { field: string; value: string; chars: string[] } | null {
    for (const h of used) {
      const v = fields[h];
      if (typeof v !== 'string') continue;
      const c = unicodeCulprits(v.trim());
      if (c.length) return { field: h, value: v.trim(), chars: c.map((x) => x.shown) };
    }
    return null;
  }

  return { render, culpritField, bare, literalGsm, languages };
}

/** One sentence for a send refused because of blank values: the fields, how many, which rows, and the three ways on. */
export function blankMessage(
  blank: Array<{ field: string; count: number; rows: number[] }>,
  choices: { skip: string; send: string; fallback: (f: string) => string },
): string {
  const parts = blank.map((b) => {
    const rows = b.rows.slice(0, 5).join(', ') + (b.count > 5 ? ` and ${b.count - 5} more` : '');
    return `${b.count} recipient${b.count === 1 ? ' has' : 's have'} no ${b.field} (row${b.count === 1 ? '' : 's'} ${rows})`;
  });
  const f = blank[0].field;
  return `${parts.join('; ')}: ${choices.fallback(f)}, ${choices.skip}, or ${choices.send}.`;
}
