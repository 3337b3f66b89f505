/** The text formulas worked out again for .xls (shared/import/xlsFormula.ts), and what is left alone. */
import { describe, expect, it } from 'vitest';
import type { CellObject, DenseSheet } from '@e965/xlsx';
import { evaluate, recalcTextFormulas } from '../../shared/import/xlsFormula.ts';

// A1 = "Ada", B1 = "Obi", C1 = 8031234501, D1 = 2.5, E1 = true, F1 = "  ngozi  okafor "
const cells: Record<string, string | number | boolean> = {
  A1: 'Ada',
  B1: 'Obi',
  C1: 8031234501,
  D1: 2.5,
  E1: true,
  F1: '  ngozi  okafor ',
};
const lookup = (r: number, c: number) => cells[`${String.fromCharCode(65 + c)}${r + 1}`] ?? '';

describe('evaluate', () => {
  it.each([
    ['CONCAT(A1," ",B1)', 'Ada Obi'],
    ['_xlfn.CONCAT(A1," ",B1)', 'Ada Obi'],
    ['CONCATENATE("Dear ",$A$1)', 'Dear Ada'],
    ['A1&" "&B1', 'Ada Obi'],
    ['"0"&C1', '08031234501'],
    ['A1&D1&E1', 'Ada2.5TRUE'],
    ['"say ""hi"""&A1', 'say "hi"Ada'],
    ['PROPER(TRIM(F1))', 'Ngozi Okafor'],
    ['UPPER(A1)&LOWER(B1)', 'ADAobi'],
    ['(A1&"-")&(B1)', 'Ada-Obi'],
    ['A1&G1', 'Ada'], // an empty cell is ""
    ['CONCAT()', ''],
    ['A1', 'Ada'],
  ])('%s -> %j', (f, want) => expect(evaluate(f, lookup)).toBe(want));

  it.each([
    '2+3',
    'SUM(C1,1)',
    'Sheet2!A1&"x"',
    'CONCAT(A1:B1)',
    'VLOOKUP(A1,B1,1)',
    'A1&',
    '"unclosed',
    'TRIM(A1,B1)',
    '#N/A',
  ])('%s: not one of the text formulas read here, left to the saved result', (f) =>
    expect(evaluate(f, lookup)).toBeUndefined(),
  );

  it('a plain number stays a number (so a saved numeric result is kept)', () => {
    expect(evaluate('C1', lookup)).toBe(8031234501);
    expect(evaluate('5', lookup)).toBe(5);
  });
});

describe('recalcTextFormulas over a sheet', () => {
  const sheet = (rows: Array<Array<CellObject | undefined>>): DenseSheet => ({ '!data': rows }) as DenseSheet;

  it('replaces a text formula saved as 0, follows formulas it refers to, keeps numbers and saved text', () => {
    const s = sheet([
      [
        { t: 's', v: 'Ada' },
        { t: 's', v: 'Obi' },
        { t: 'n', v: 0, f: 'A1&" "&B1' }, // saved as 0 by LibreOffice
        { t: 'n', v: 0, f: '"Dear "&C1' }, // refers to the one before
        { t: 'n', v: 5, f: '2+3' },
        { t: 's', v: 'kept', f: 'A1&"!"' }, // a saved text result is trusted
        { t: 'n', v: 0, f: 'G1&"x"' }, // G1 refers to itself: left alone
      ],
    ]);
    expect(recalcTextFormulas(s)).toBe(2);
    expect(s['!data']![0]!.map((c) => c?.v)).toEqual(['Ada', 'Obi', 'Ada Obi', 'Dear Ada Obi', 5, 'kept', 0]);
    expect(s['!data']![0]![2]!.t).toBe('s');
  });
});
