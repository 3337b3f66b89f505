import { describe, expect, it } from 'vitest';
import { csvCell, escapeFormula } from '../../shared/export.ts';

describe('cells a spreadsheet could run as a formula get a single quote, the rest kept', () => {
  const table: Array<[string, string]> = [
    ['=1+1', "'=1+1"],
    ['+1+1', "'+1+1"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1+1', "'\t'=1+1"],
    ['\rx', "'\rx"],
    [' =1+1', "' =1+1"],
    ['  +1', "'  +1"],
    ['"=1+1', '\'"=1+1'],
    ['\uFF1D1+1', "'\uFF1D1+1"],
    ['\uFF0B1', "'\uFF0B1"],
    ['\uFF0D1', "'\uFF0D1"],
    ['\uFF20x', "'\uFF20x"],
    // every line, and after a ; or tab (where a reader with that separator starts a cell)
    ['x\n=2+2', "x\n'=2+2"],
    ['x\r\n+3', "x\r\n'+3"],
    ['x\r-4', "x\r'-4"],
    [';=1+1', ";'=1+1"],
    ['a; =1', "a;' =1"],
    ['a\t@x', "a\t'@x"],
    ['+2348031234567', "'+2348031234567"],
    // left alone
    ['Ada', 'Ada'],
    ['2348031234567', '2348031234567'],
    ['Hello, -- see you', 'Hello, -- see you'],
    ['a=b', 'a=b'],
    ["'=1", "'=1"],
    ['', ''],
  ];
  for (const [input, want] of table) {
    it(JSON.stringify(input), () => expect(escapeFormula(input)).toBe(want));
  }

  it('CSV quotes cells with a separator of any common kind, a quote or a line break', () => {
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('a\tb')).toBe('"a\tb"');
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell(';=1+1')).toBe('";\'=1+1"');
    expect(csvCell('plain')).toBe('plain');
  });
});
