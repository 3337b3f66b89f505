/**
 * Swaps characters that force UCS-2 for their GSM-7 equivalents, so a message pasted from a
 * word processor costs GSM-7 parts again. Letters and emoji are never touched (see replacements.ts).
 */
import { analyze } from './encoding.ts';
import { gsmReplacements } from './replacements.ts';

export { gsmReplacements };

export interface FixResult {
  text: string;
  replaced: Array<{ from: string; to: string; count: number }>;
  partsBefore: number;
  partsAfter: number;
}

export function fixToGsm(text: string): FixResult {
  const before = analyze(text);
  const fixable = before.nonGsm.filter((c) => c.replacement !== null);
  if (fixable.length === 0) return { text, replaced: [], partsBefore: before.parts, partsAfter: before.parts };
  let out = '';
  // Iterate by code point so a replacement never lands between the halves of a surrogate pair.
  for (const ch of text) {
    const r = gsmReplacements.get(ch);
    out += r ?? ch;
  }
  const replaced = fixable.map((c) => ({ from: c.char, to: c.replacement as string, count: c.count }));
  return { text: out, replaced, partsBefore: before.parts, partsAfter: analyze(out).parts };
}
