import { describe, expect, it } from 'vitest';
import { analyze, fixToGsm, gsmReplacements, gsmSeptets } from '../../shared/sms/index.ts';

describe('fixToGsm', () => {
  it('turns a text pasted from a word processor back into one GSM-7 part', () => {
    const pasted = '“Hello” – it’s time… Sale: 2×1\u00A0only • today';
    const r = fixToGsm(pasted);
    expect(r.text).toBe('"Hello" - it\'s time... Sale: 2x1 only - today');
    expect(analyze(r.text).encoding).toBe('GSM-7');
    expect(r.replaced).toEqual([
      { from: '“', to: '"', count: 1 },
      { from: '”', to: '"', count: 1 },
      { from: '–', to: '-', count: 1 },
      { from: '’', to: "'", count: 1 },
      { from: '…', to: '...', count: 1 },
      { from: '×', to: 'x', count: 1 },
      { from: '\u00A0', to: ' ', count: 1 },
      { from: '•', to: '-', count: 1 },
    ]);
    expect(r.partsBefore).toBe(1);
    expect(r.partsAfter).toBe(1);
  });

  it('cuts the part count when curly quotes were the only non-GSM characters', () => {
    const text = '‘' + 'a'.repeat(100) + '’';
    const r = fixToGsm(text);
    expect(r.partsBefore).toBe(2);
    expect(r.partsAfter).toBe(1);
  });

  it('leaves Yoruba, Igbo and Hausa letters and emoji alone, and still reports them', () => {
    const text = 'Ẹ kú àárọ ‘Ṣọlá’ ị ụ ṅ ƙ ɗ ɓ ƴ 😀';
    const r = fixToGsm(text);
    expect(r.text).toBe("Ẹ kú àárọ 'Ṣọlá' ị ụ ṅ ƙ ɗ ɓ ƴ 😀");
    expect(r.replaced.map((x) => x.from)).toEqual(['‘', '’']);
    const left = analyze(r.text);
    expect(left.encoding).toBe('UCS-2');
    expect(left.nonGsm.every((c) => c.replacement === null)).toBe(true);
    expect(left.nonGsm.map((c) => c.char)).toEqual(
      expect.arrayContaining(['Ẹ', 'ọ', 'Ṣ', 'ị', 'ụ', 'ṅ', 'ƙ', 'ɗ', 'ɓ', 'ƴ', '😀']),
    );
  });

  it('returns the same text and no replacements when nothing can be fixed', () => {
    expect(fixToGsm('Plain text')).toEqual({ text: 'Plain text', replaced: [], partsBefore: 1, partsAfter: 1 });
    expect(fixToGsm('')).toEqual({ text: '', replaced: [], partsBefore: 0, partsAfter: 0 });
  });

  it('writes the naira sign as N and drops invisible zero-width characters', () => {
    expect(fixToGsm('Pay ₦5,000\u200B now').text).toBe('Pay N5,000 now');
  });

  // Text copied out of a PDF or a terminal, or a file read in the wrong code page, carries controls
  // nobody can see; each one alone turns the whole message into UCS-2 (70 characters a part).
  it('removes invisible control characters so a message that looks plain is GSM-7 again', () => {
    const pasted = 'Dear customer,\u0002 your order\u0000 ships\u001F today.\u007F\r\nThanks\u000B';
    expect(analyze(pasted).encoding).toBe('UCS-2');
    const r = fixToGsm(pasted);
    expect(r.text).toBe('Dear customer, your order ships today.\r\nThanks');
    expect(analyze(r.text)).toMatchObject({ encoding: 'GSM-7', nonGsm: [] });
    expect(r.replaced.map((x) => x.to)).toEqual(['', '', '', '', '']);
  });

  it('keeps a gap where a C1 control stood, and keeps line breaks, tabs as a space and form feeds', () => {
    // \u0092 is what a Windows-1252 apostrophe becomes when the file is read as Latin-1
    expect(fixToGsm('It\u0092s\u0085ready\tnow\f').text).toBe('It  s\nready now\f');
    const long = 'x'.repeat(150) + '\u0096';
    const r = fixToGsm(long);
    expect(r.partsBefore).toBe(3);
    expect(r.partsAfter).toBe(1);
  });

  it('keeps emoji ZWJ sequences intact', () => {
    const family = '👨\u200D👩\u200D👧';
    expect(fixToGsm(family + ' “hi”').text).toBe(family + ' "hi"');
  });

  it('maps only to GSM-7 text, and never a GSM-7 character', () => {
    for (const [from, to] of gsmReplacements) {
      expect(gsmSeptets(from), `from ${JSON.stringify(from)}`).toBe(0);
      for (const ch of to) expect(gsmSeptets(ch), `to of ${JSON.stringify(from)}`).toBe(1);
    }
  });
});
