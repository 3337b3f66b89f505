/**
 * Message encoding and parts, per GSM 03.38 / 3GPP TS 23.038.
 *
 * GSM-7 when every character is in the default alphabet or its extension table, else UCS-2.
 * Parts are found by packing, not by dividing: an escape pair (extension character) and a
 * surrogate pair (most emoji) are never split, so a part may end one unit short.
 *
 * Empty text has 0 parts: a gateway refuses an empty body, so nothing is billed.
 */
import { gsmReplacements } from './replacements.ts';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface NonGsmChar {
  char: string;
  /** UTF-16 offset of the first occurrence (what String.slice and text selections use) */
  index: number;
  count: number;
  /** the GSM-7 text fixToGsm() would put instead, or null when there is no safe equivalent */
  replacement: string | null;
}

export interface SmsAnalysis {
  encoding: SmsEncoding;
  /** user-visible characters, counted as Unicode code points (a lone surrogate counts as one) */
  characters: number;
  /** septets for GSM-7, UTF-16 code units for UCS-2 */
  units: number;
  parts: number;
  /** capacity of each part at the current length: single-part size, or the concatenated size */
  perPart: number;
  /** units still free in the last part before another part is needed */
  charsLeft: number;
  nonGsm: NonGsmChar[];
}

export const GSM_SINGLE = 160;
export const GSM_MULTI = 153;
export const UCS2_SINGLE = 70;
export const UCS2_MULTI = 67;

// Code points 0x00-0x7F of the default alphabet, in table order. 0x1B (escape) is left out:
// it is the prefix of the extension table, never a character a user can type.
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ' +
  ' !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';
// Extension table: sent as ESC + code, so each costs two septets.
const EXTENSION = '\f^{}\\[~]|€';

/** septets per UTF-16 code unit: 0 = not GSM-7, 1 = default alphabet, 2 = extension table. Built once. */
const SEPTETS = new Uint8Array(0x10000);
for (const ch of BASIC) SEPTETS[ch.charCodeAt(0)] = 1;
for (const ch of EXTENSION) SEPTETS[ch.charCodeAt(0)] = 2;

/** septets for one character of the default alphabet or extension table, 0 for anything else */
export function gsmSeptets(char: string): number {
  return char.length === 1 ? SEPTETS[char.charCodeAt(0)] : 0;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

export function analyze(text: string): SmsAnalysis {
  const n = text.length;
  let septets = 0;
  let characters = 0;
  // keyed by code point: numbers hash faster than one-character strings, and most texts that
  // have any non-GSM character have many of them
  let nonGsm: Map<number, NonGsmChar> | null = null;
  let last: NonGsmChar | null = null;
  let lastCode = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    characters++;
    const s = SEPTETS[c];
    if (s !== 0) {
      septets += s;
      continue;
    }
    let code = c;
    const start = i;
    if (isHigh(c) && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (isLow(d)) {
        code = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (code === lastCode) {
      (last as NonGsmChar).count++;
      continue;
    }
    nonGsm ??= new Map();
    let entry = nonGsm.get(code);
    if (entry) entry.count++;
    else {
      const char = text.slice(start, i + 1);
      entry = { char, index: start, count: 1, replacement: gsmReplacements.get(char) ?? null };
      nonGsm.set(code, entry);
    }
    last = entry;
    lastCode = code;
  }

  if (n === 0)
    return {
      encoding: 'GSM-7',
      characters: 0,
      units: 0,
      parts: 0,
      perPart: GSM_SINGLE,
      charsLeft: GSM_SINGLE,
      nonGsm: [],
    };

  if (nonGsm === null) {
    if (septets <= GSM_SINGLE) {
      return {
        encoding: 'GSM-7',
        characters,
        units: septets,
        parts: 1,
        perPart: GSM_SINGLE,
        charsLeft: GSM_SINGLE - septets,
        nonGsm: [],
      };
    }
    const { parts, used } = packGsm(text);
    return {
      encoding: 'GSM-7',
      characters,
      units: septets,
      parts,
      perPart: GSM_MULTI,
      charsLeft: GSM_MULTI - used,
      nonGsm: [],
    };
  }

  const list = [...nonGsm.values()];
  if (n <= UCS2_SINGLE) {
    return {
      encoding: 'UCS-2',
      characters,
      units: n,
      parts: 1,
      perPart: UCS2_SINGLE,
      charsLeft: UCS2_SINGLE - n,
      nonGsm: list,
    };
  }
  const { parts, used } = packUcs2(text);
  return {
    encoding: 'UCS-2',
    characters,
    units: n,
    parts,
    perPart: UCS2_MULTI,
    charsLeft: UCS2_MULTI - used,
    nonGsm: list,
  };
}

/** greedy packing into 153-septet parts; returns the part count and the septets in the last part */
function packGsm(text: string): { parts: number; used: number } {
  let parts = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const s = SEPTETS[text.charCodeAt(i)];
    if (used + s > GSM_MULTI) {
      parts++;
      used = 0;
    }
    used += s;
  }
  return { parts, used };
}

function packUcs2(text: string): { parts: number; used: number } {
  let parts = 1;
  let used = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const w = isHigh(text.charCodeAt(i)) && i + 1 < n && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
    if (used + w > UCS2_MULTI) {
      parts++;
      used = 0;
    }
    used += w;
    i += w - 1;
  }
  return { parts, used };
}

/** The text of each part as the handset will receive it; joining them gives the text back. Empty text: []. */
export function splitParts(text: string): string[] {
  if (text.length === 0) return [];
  const a = analyze(text);
  if (a.parts === 1) return [text];
  const gsm = a.encoding === 'GSM-7';
  const size = gsm ? GSM_MULTI : UCS2_MULTI;
  const out: string[] = [];
  const n = text.length;
  let start = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let w: number;
    let len = 1;
    if (gsm) w = SEPTETS[c];
    else if (isHigh(c) && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
      w = 2;
      len = 2;
    } else w = 1;
    if (used + w > size) {
      out.push(text.slice(start, i));
      start = i;
      used = 0;
    }
    used += w;
    i += len - 1;
  }
  out.push(text.slice(start));
  return out;
}
