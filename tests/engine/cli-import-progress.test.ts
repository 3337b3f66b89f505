/**
 * `smsdesk import` in text mode tells its progress on stderr at most once a second. It never
 * tells "0 rows read (100%)": the first event comes after the first read, before any row is parsed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/engine.ts';

const progressLines = (err: string) => err.split('\n').filter((l) => / rows read/.test(l));
const count = (line: string) => Number(/([\d,]+) rows read/.exec(line)![1].replace(/,/g, ''));

describe('smsdesk import: progress on stderr', () => {
  it('a small file tells no "0 rows read"; a big one tells counts that grow, none above the rows', async () => {
    const dir = tempDir();
    const small = path.join(dir, 'small.csv');
    fs.writeFileSync(small, 'phone,name\n08031234567,Ada\n08051234568,Bola\n');
    const a = await cli(dir, ['import', small, '--list', 'small'], {}, { json: false }).done;
    expect(a.code, a.err).toBe(0);
    expect(a.out).toContain('2 contacts from 2 rows');
    expect(progressLines(a.err).filter((l) => count(l) === 0)).toEqual([]);

    const rows = 400_000;
    const big = path.join(dir, 'big.csv');
    let text = 'phone,name\n';
    for (let i = 0; i < rows; i++) text += `0803${String(i).padStart(7, '0')},N${i}\n`;
    fs.writeFileSync(big, text);
    const b = await cli(dir, ['import', big, '--list', 'big'], {}, { json: false }).done;
    expect(b.code, b.err).toBe(0);
    expect(b.out).toContain(`${rows} contacts from ${rows} rows`);
    const counts = progressLines(b.err).map(count);
    expect(counts.length, b.err).toBeGreaterThan(0);
    expect(counts.every((n) => n > 0 && n <= rows)).toBe(true);
    expect([...counts].sort((x, y) => x - y)).toEqual(counts);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
