import { describe, expect, it } from 'vitest';
import { analyze, splitParts, gsmSeptets } from '../../shared/sms/index.ts';
import { previewText } from '../../electron/engine/cli/preview.ts';

interface Case {
  name: string;
  text: string;
  enc: 'GSM-7' | 'UCS-2';
  units: number;
  parts: number;
  chars?: number;
  left?: number;
}

// Expected values worked out by hand from 3GPP TS 23.038 (160/153 septets, 70/67 UTF-16 units,
// escape pairs and surrogate pairs never split), not by running the code. The block between the
// markers stands alone so docs/segment-calculators.md's script can run it against libraries.
// CASES-BEGIN
const A = (n: number): string => 'a'.repeat(n);
const R = (s: string, n: number): string => s.repeat(n);
const cases: Case[] = [
  { name: 'empty text: nothing to send, 0 parts', text: '', enc: 'GSM-7', units: 0, parts: 0, chars: 0, left: 160 },
  { name: 'one letter', text: 'a', enc: 'GSM-7', units: 1, parts: 1, left: 159 },
  { name: '160 GSM chars fill one part', text: A(160), enc: 'GSM-7', units: 160, parts: 1, left: 0 },
  { name: '161 GSM chars need two parts', text: A(161), enc: 'GSM-7', units: 161, parts: 2, left: 145 },
  { name: '306 GSM chars = 2 x 153', text: A(306), enc: 'GSM-7', units: 306, parts: 2, left: 0 },
  { name: '307 GSM chars need three', text: A(307), enc: 'GSM-7', units: 307, parts: 3, left: 152 },
  { name: '459 GSM chars = 3 x 153', text: A(459), enc: 'GSM-7', units: 459, parts: 3, left: 0 },
  { name: '460 GSM chars need four', text: A(460), enc: 'GSM-7', units: 460, parts: 4, left: 152 },
  { name: '612 GSM chars = 4 x 153', text: A(612), enc: 'GSM-7', units: 612, parts: 4 },
  { name: '613 GSM chars need five', text: A(613), enc: 'GSM-7', units: 613, parts: 5 },
  { name: '1600 GSM chars', text: A(1600), enc: 'GSM-7', units: 1600, parts: 11, left: 83 },
  {
    name: '158 basic + euro = 160 septets, one part',
    text: A(158) + '€',
    enc: 'GSM-7',
    units: 160,
    parts: 1,
    chars: 159,
    left: 0,
  },
  {
    name: '159 basic + euro = 161 septets, two parts',
    text: A(159) + '€',
    enc: 'GSM-7',
    units: 161,
    parts: 2,
    chars: 160,
    left: 145,
  },
  { name: '159 basic + pipe = 161 septets', text: A(159) + '|', enc: 'GSM-7', units: 161, parts: 2 },
  {
    name: 'euro at septet 153 moves to part 2',
    text: A(152) + '€' + A(10),
    enc: 'GSM-7',
    units: 164,
    parts: 2,
    left: 141,
  },
  {
    name: 'euro at septet 153 makes 306 septets need 3 parts',
    text: A(152) + '€' + A(152),
    enc: 'GSM-7',
    units: 306,
    parts: 3,
    left: 152,
  },
  {
    name: 'euro ending exactly at septet 153: 306 septets in 2 parts',
    text: A(151) + '€' + A(153),
    enc: 'GSM-7',
    units: 306,
    parts: 2,
    left: 0,
  },
  { name: 'euro at septet 306 moves to part 3', text: A(305) + '€', enc: 'GSM-7', units: 307, parts: 3, left: 151 },
  { name: 'euro ending exactly at septet 306', text: A(304) + '€', enc: 'GSM-7', units: 306, parts: 2, left: 0 },
  {
    name: '80 euros = 160 septets, one part',
    text: R('€', 80),
    enc: 'GSM-7',
    units: 160,
    parts: 1,
    chars: 80,
    left: 0,
  },
  { name: '81 euros: 76 fit a part of 153', text: R('€', 81), enc: 'GSM-7', units: 162, parts: 2, left: 143 },
  { name: '153 euros = 306 septets but 3 parts', text: R('€', 153), enc: 'GSM-7', units: 306, parts: 3, left: 151 },
  { name: '76 euros + a = 153 septets, one part', text: R('€', 76) + 'a', enc: 'GSM-7', units: 153, parts: 1 },
  { name: '80 brackets = 160 septets', text: R('[', 80), enc: 'GSM-7', units: 160, parts: 1 },
  { name: 'every extension char costs 2', text: 'x^{}\\[~]|€\f', enc: 'GSM-7', units: 21, parts: 1, chars: 11 },
  { name: 'form feed is an extension char', text: 'a\fb', enc: 'GSM-7', units: 4, parts: 1 },
  { name: 'CR LF are basic GSM', text: 'Hello\r\nWorld', enc: 'GSM-7', units: 12, parts: 1 },
  {
    name: 'GSM letters that look foreign',
    text: '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ',
    enc: 'GSM-7',
    units: 29,
    parts: 1,
    chars: 29,
  },
  { name: 'more of the default alphabet', text: '¡¿ÄÖÑÜ§äöñüà¤', enc: 'GSM-7', units: 13, parts: 1 },
  { name: 'à alone is GSM (0x7F)', text: 'à', enc: 'GSM-7', units: 1, parts: 1 },
  { name: '160 Ø', text: R('Ø', 160), enc: 'GSM-7', units: 160, parts: 1 },
  { name: 'spaces only', text: '   ', enc: 'GSM-7', units: 3, parts: 1 },
  {
    name: 'ASCII letters, digits and punctuation in the basic table',
    text: ' !"#%&\'()*+,-./0123456789:;<=>?ABCXYZabcxyz',
    enc: 'GSM-7',
    units: 43,
    parts: 1,
  },
  { name: 'backtick is not GSM', text: 'a`b', enc: 'UCS-2', units: 3, parts: 1 },
  { name: 'small c cedilla is not GSM (only Ç is)', text: 'ç', enc: 'UCS-2', units: 1, parts: 1 },
  { name: 'Greek small letters not in GSM', text: 'αβγ', enc: 'UCS-2', units: 3, parts: 1 },
  { name: 'Greek capital Alpha is not Latin A', text: 'Α', enc: 'UCS-2', units: 1, parts: 1 },
  { name: 'Ohm sign is not Greek Omega', text: '\u2126', enc: 'UCS-2', units: 1, parts: 1 },
  { name: 'curly double quotes', text: '“Hi”', enc: 'UCS-2', units: 4, parts: 1 },
  { name: 'curly apostrophe', text: 'don’t', enc: 'UCS-2', units: 5, parts: 1 },
  { name: 'non-breaking space', text: 'a\u00A0b', enc: 'UCS-2', units: 3, parts: 1 },
  { name: '70 non-breaking spaces', text: R('\u00A0', 70), enc: 'UCS-2', units: 70, parts: 1 },
  { name: 'en dash', text: 'a–b', enc: 'UCS-2', units: 3, parts: 1 },
  { name: 'ellipsis', text: '…', enc: 'UCS-2', units: 1, parts: 1 },
  { name: 'tab is not GSM', text: 'a\tb', enc: 'UCS-2', units: 3, parts: 1 },
  { name: 'escape control char is not a character', text: '\u001b', enc: 'UCS-2', units: 1, parts: 1 },
  { name: 'cent sign', text: '¢', enc: 'UCS-2', units: 1, parts: 1 },
  { name: 'naira sign', text: '₦500', enc: 'UCS-2', units: 4, parts: 1 },
  { name: '70 UCS-2 units, one part', text: R('ẹ', 70), enc: 'UCS-2', units: 70, parts: 1, left: 0 },
  { name: '71 UCS-2 units, two parts', text: R('ẹ', 71), enc: 'UCS-2', units: 71, parts: 2, left: 63 },
  { name: '134 UCS-2 = 2 x 67', text: R('ẹ', 134), enc: 'UCS-2', units: 134, parts: 2, left: 0 },
  { name: '135 UCS-2 need three', text: R('ẹ', 135), enc: 'UCS-2', units: 135, parts: 3, left: 66 },
  { name: '201 UCS-2 = 3 x 67', text: R('ẹ', 201), enc: 'UCS-2', units: 201, parts: 3 },
  { name: '202 UCS-2 need four', text: R('ẹ', 202), enc: 'UCS-2', units: 202, parts: 4 },
  { name: '1600 UCS-2 units', text: R('ẹ', 1600), enc: 'UCS-2', units: 1600, parts: 24, left: 8 },
  { name: '69 GSM + one dotted e = 70 UCS-2', text: A(69) + 'ẹ', enc: 'UCS-2', units: 70, parts: 1 },
  { name: '70 GSM + one dotted e = 71 UCS-2', text: A(70) + 'ẹ', enc: 'UCS-2', units: 71, parts: 2 },
  { name: 'extension chars cost one unit in UCS-2', text: R('[', 69) + 'ẹ', enc: 'UCS-2', units: 70, parts: 1 },
  { name: 'euro with a non-GSM letter', text: '€ẹ', enc: 'UCS-2', units: 2, parts: 1, chars: 2 },
  {
    name: 'emoji at unit 67 moves to part 2',
    text: A(66) + '😀' + A(10),
    enc: 'UCS-2',
    units: 78,
    parts: 2,
    chars: 77,
    left: 55,
  },
  {
    name: 'emoji at unit 67 makes 134 units need 3 parts',
    text: A(66) + '😀' + A(66),
    enc: 'UCS-2',
    units: 134,
    parts: 3,
    left: 66,
  },
  { name: 'emoji ending exactly at unit 67', text: A(65) + '😀' + A(67), enc: 'UCS-2', units: 134, parts: 2, left: 0 },
  {
    name: 'emoji at units 67-68 of a single part',
    text: R('ẹ', 66) + '😀',
    enc: 'UCS-2',
    units: 68,
    parts: 1,
    left: 2,
  },
  {
    name: 'emoji at units 69-70 of a single part',
    text: R('ẹ', 68) + '😀',
    enc: 'UCS-2',
    units: 70,
    parts: 1,
    left: 0,
  },
  { name: 'emoji pushing to 71 units', text: R('ẹ', 69) + '😀', enc: 'UCS-2', units: 71, parts: 2, left: 63 },
  { name: 'one emoji', text: '😀', enc: 'UCS-2', units: 2, parts: 1, chars: 1, left: 68 },
  { name: '35 emoji = 70 units', text: R('😀', 35), enc: 'UCS-2', units: 70, parts: 1, chars: 35 },
  { name: '36 emoji: 33 fit a part of 67', text: R('😀', 36), enc: 'UCS-2', units: 72, parts: 2, chars: 36, left: 61 },
  { name: '67 emoji = 134 units but 3 parts', text: R('😀', 67), enc: 'UCS-2', units: 134, parts: 3, left: 65 },
  { name: 'thumbs up with skin tone', text: '👍🏽', enc: 'UCS-2', units: 4, parts: 1, chars: 2 },
  { name: 'family ZWJ sequence', text: '👨\u200D👩\u200D👧', enc: 'UCS-2', units: 8, parts: 1, chars: 5 },
  { name: 'Yoruba dotted letters', text: 'ẹ ọ ṣ', enc: 'UCS-2', units: 5, parts: 1 },
  { name: 'Yoruba with combining tone marks', text: 'Ọjọ\u0301 ayọ\u0300', enc: 'UCS-2', units: 9, parts: 1, chars: 9 },
  { name: 'Yoruba greeting with à and ẹ', text: 'Ẹ kú àárọ\u0300', enc: 'UCS-2', units: 10, chars: 10, parts: 1 },
  { name: 'Igbo letters', text: 'ị ọ ụ ṅ', enc: 'UCS-2', units: 7, parts: 1 },
  { name: 'Hausa hooked letters', text: 'ƙ ɗ ɓ ƴ', enc: 'UCS-2', units: 7, parts: 1 },
  { name: 'lone high surrogate', text: '\uD83D', enc: 'UCS-2', units: 1, parts: 1, chars: 1 },
  { name: 'lone low surrogate between letters', text: 'a\uDE00b', enc: 'UCS-2', units: 3, parts: 1, chars: 3 },
  {
    name: 'lone high surrogate at unit 67 does not pair with a letter',
    text: A(66) + '\uD83D' + A(10),
    enc: 'UCS-2',
    units: 77,
    parts: 2,
    left: 57,
  },
];
// CASES-END

describe('analyze: encoding, units and parts at the edges', () => {
  it('has the table the standard calls for', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });
  it.each(cases)('$name', (c) => {
    const a = analyze(c.text);
    expect({ enc: a.encoding, units: a.units, parts: a.parts }).toEqual({ enc: c.enc, units: c.units, parts: c.parts });
    if (c.chars !== undefined) expect(a.characters).toBe(c.chars);
    if (c.left !== undefined) expect(a.charsLeft).toBe(c.left);
    expect(a.perPart).toBe(c.enc === 'GSM-7' ? (c.parts > 1 ? 153 : 160) : c.parts > 1 ? 67 : 70);
    expect(a.nonGsm.length > 0).toBe(c.enc === 'UCS-2');
  });
});

describe('splitParts', () => {
  it.each(cases)('$name: parts join back and each fits', (c) => {
    const parts = splitParts(c.text);
    expect(parts.length).toBe(c.parts);
    expect(parts.join('')).toBe(c.text);
    if (parts.length < 2) return;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      const size = c.enc === 'GSM-7' ? [...p].reduce((s, ch) => s + gsmSeptets(ch), 0) : p.length;
      expect(size).toBeLessThanOrEqual(c.enc === 'GSM-7' ? 153 : 67);
      // a surrogate pair is never cut: no part ends on a high surrogate followed by a low one
      const last = p.charCodeAt(p.length - 1);
      const next = parts[i + 1]?.charCodeAt(0) ?? 0;
      expect(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff).toBe(false);
    }
  });

  it('keeps an escape pair whole: the euro starts part 2', () => {
    const parts = splitParts(A(152) + '€' + A(10));
    expect(parts[0]).toBe(A(152));
    expect(parts[1]).toBe('€' + A(10));
  });

  it('keeps an emoji whole: it starts part 2', () => {
    const parts = splitParts(A(66) + '😀' + A(10));
    expect(parts).toEqual([A(66), '😀' + A(10)]);
  });
});

describe('nonGsm report', () => {
  it('lists each offending character once with its first UTF-16 index, count and fix', () => {
    const a = analyze('“Hi” ẹ 😀 ẹ “');
    expect(a.nonGsm).toEqual([
      { char: '“', index: 0, count: 2, replacement: '"' },
      { char: '”', index: 3, count: 1, replacement: '"' },
      { char: 'ẹ', index: 5, count: 2, replacement: null },
      { char: '😀', index: 7, count: 1, replacement: null },
    ]);
  });

  it('reports a lone surrogate as itself, not as part of an emoji', () => {
    expect(analyze('x\uD83Dy').nonGsm).toEqual([{ char: '\uD83D', index: 1, count: 1, replacement: null }]);
  });
});

describe('previewText (smsdesk preview --text)', () => {
  it('gives the CLI the encoding, counts and the distinct characters to blame', () => {
    expect(previewText('Ẹ káàbọ\u0300 ẹ 😀')).toEqual({
      // the tone mark is named with its letter (ọ̀), never as a loose mark of its own
      encoding: 'UCS-2',
      characters: 12,
      parts: 1,
      nonGsm: ['Ẹ', 'á', '\u1ecd\u0300', 'ẹ', '😀'],
      charsLeft: 70 - 13,
      units: 13,
    });
    expect(previewText(A(161))).toEqual({
      encoding: 'GSM-7',
      characters: 161,
      parts: 2,
      nonGsm: [],
      charsLeft: 145,
      units: 161,
    });
  });
});

describe('speed', () => {
  it('analyzes a 1,600-character text in well under 0.2 ms', () => {
    const texts = [A(1590) + '€{}[]', R('ẹ', 1500) + R('😀', 50)];
    for (let i = 0; i < 200; i++) for (const t of texts) analyze(t); // warm up the JIT
    const runs = 2000;
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) analyze(texts[i & 1]);
      best = Math.min(best, (performance.now() - t0) / runs);
    }
    expect(best).toBeLessThan(0.2);
  });
});
