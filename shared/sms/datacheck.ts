/**
 * The data check before a send: what the list's values do to the message. Pure, so the engine's
 * preview, the create step and the renderer all judge a recipient the same way.
 */
import { gsmSeptets } from './encoding.ts';
import { parseTemplate, resolveField } from './template.ts';

/** A field the template uses without a fallback, so a blank value leaves a gap in the text. */
export interface BareField {
  name: string;
  header: string;
}

/** Fields used at least once without `|fallback` (each header once, as first written). */
export function bareFields(tpl: string, fieldNames: readonly string[]): BareField[] {
  const out: BareField[] = [];
  for (const t of parseTemplate(tpl).tokens) {
    if (t.kind !== 'field' || t.fallback !== null) continue;
    const header = resolveField(t.name, fieldNames);
    if (header !== null && !out.some((f) => f.header === header)) out.push({ name: t.name, header });
  }
  return out;
}

/** The headers among `fields` whose value is missing, empty or only spaces for this row. */
export function blankIn(fields: readonly BareField[], values: Record<string, string>): BareField[] {
  const out: BareField[] = [];
  for (const f of fields) {
    const v = values[f.header];
    if (typeof v !== 'string' || v.trim() === '') out.push(f);
  }
  return out;
}

/**
 * The template with `|fallback` added to every use of `field` that has none, so blank values
 * get the fallback. Braces, bars and line breaks cannot stand in a fallback, so they are dropped.
 */
export function withFallback(tpl: string, field: string, fallback: string, fieldNames: readonly string[]): string {
  const header = resolveField(field, fieldNames) ?? field;
  const clean = fallback.replace(/[{}|\r\n]/g, '').trim();
  let out = '';
  let at = 0;
  for (const t of parseTemplate(tpl).tokens) {
    if (t.kind !== 'field' || t.fallback !== null) continue;
    if ((resolveField(t.name, fieldNames) ?? t.name) !== header) continue;
    out += tpl.slice(at, t.index) + `{${t.raw.slice(1, -1).trim()}|${clean}}`;
    at = t.index + t.raw.length;
  }
  return out + tpl.slice(at);
}

// Combining marks (tone marks, dots below) and the letters that have no decomposition.
const MARK = /\p{M}/u;
const MARKS = /\p{M}+/gu;
const HOOKED = new Set([...'ɓɗƙƴƁƊƘƳ']);

function isGsmChar(ch: string): boolean {
  return gsmSeptets(ch) > 0;
}

/**
 * A value without the accents that force Unicode: NFC first (a name typed as e + combining
 * acute becomes é, which GSM-7 has), then each character GSM-7 lacks loses its combining marks
 * (á → a, ọ́ → o, ṣ → s). Letters with no plain form (ɓ ɗ ƙ) are kept: a value keeps its meaning.
 */
export function withoutAccents(value: string): string {
  let out = '';
  for (const ch of value.normalize('NFC')) {
    if (isGsmChar(ch)) {
      out += ch;
      continue;
    }
    const base = ch.normalize('NFD').replace(MARKS, '');
    out += base !== '' && [...base].every(isGsmChar) ? base : MARK.test(ch) ? '' : ch;
  }
  return out;
}

/** Every field value passed through withoutAccents (a new object; the list is not touched). */
export function fieldsWithoutAccents(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in values) out[k] = withoutAccents(values[k]);
  return out;
}

export interface Culprit {
  /** what the user sees: a letter with its marks (NFC), never a loose combining mark */
  shown: string;
  count: number;
  /** true when it is a letter with accents or tone marks, or a letter of Hausa/Yoruba/Igbo */
  letter: boolean;
}

// made on first use: ICU's break rules take ~10 ms to load, which every start of the command paid
let segmenter: Intl.Segmenter | undefined;

/**
 * The characters that force UCS-2, one per grapheme (a base letter and its combining marks
 * together), in order of first appearance.
 */
export function unicodeCulprits(text: string): Culprit[] {
  const map = new Map<string, Culprit>();
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of segmenter.segment(text)) {
    if ([...segment].every(isGsmChar)) continue;
    const shown = segment.normalize('NFC');
    const c = map.get(shown);
    if (c) {
      c.count++;
      continue;
    }
    map.set(shown, { shown, count: 1, letter: isLocalLetter(shown) });
  }
  return [...map.values()];
}

/** a Latin letter carrying accents or tone marks, or one of ɓ ɗ ƙ ƴ */
function isLocalLetter(g: string): boolean {
  if ([...g].some((c) => HOOKED.has(c))) return true;
  const d = g.normalize('NFD');
  return /^\p{Script=Latin}\p{M}+$/u.test(d) || /^\p{M}+$/u.test(d);
}

export type LocalLanguage = 'Yoruba' | 'Hausa' | 'Igbo';

/**
 * Which Nigerian languages the template's own text is written in, judged by the letters
 * GSM-7 lacks: ɓ ɗ ƙ ƴ are Hausa; ụ ị ṅ Igbo; ẹ ọ ṣ and tone marks Yoruba. Empty when the
 * template has none of them (then a Unicode message is caused by something else).
 */
export function templateLanguages(tpl: string): LocalLanguage[] {
  let literal = '';
  for (const t of parseTemplate(tpl).tokens) if (t.kind === 'text') literal += t.text;
  const letters = unicodeCulprits(literal)
    .filter((c) => c.letter)
    .map((c) => c.shown.normalize('NFD').toLowerCase());
  if (letters.length === 0) return [];
  const found = new Set<LocalLanguage>();
  let shared = false;
  for (const l of letters) {
    if (/[ɓɗƙƴ]/.test(l)) found.add('Hausa');
    else if (/[iu]\u0323|n\u0307/.test(l)) found.add('Igbo');
    else if (/[es]\u0323/.test(l)) found.add('Yoruba');
    // ọ and tone marks are written in Yoruba and Igbo alike: they name Yoruba only when nothing else does
    else if (/[aeioumn][\u0300\u0301\u0304\u0323]/.test(l)) shared = true;
  }
  if (shared && found.size === 0) found.add('Yoruba');
  return (['Yoruba', 'Hausa', 'Igbo'] as const).filter((x) => found.has(x));
}

/** The template with every field left out: what the message costs before any value is merged. */
export function templateLiteral(tpl: string): string {
  let out = '';
  for (const t of parseTemplate(tpl).tokens) out += t.kind === 'text' ? t.text : (t.fallback ?? '');
  return out;
}
