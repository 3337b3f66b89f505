/**
 * The exports opened in a real spreadsheet: LibreOffice Calc reads each CSV with `,` and with
 * `;` as separator (formula evaluation on, as a user opening the file gets it) and each XLSX,
 * and saves what it understood as flat ODS. No cell may come out as a formula; in CSV the hostile
 * text is still there behind a single quote, in XLSX it is there as it was, in a text cell.
 * Times: the user is in Lagos (UTC+01:00, no daylight saving); the engine takes the zone of the
 * machine it runs on, which TZ sets here for this test's process.
 */
process.env.TZ = 'Africa/Lagos';

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { makeList, numbers, tempDir, waitFor } from '../helpers/engine.ts';
import type { MessageRow } from '../../electron/engine/api.ts';
import { unzip } from '../faults/support.ts';

/** Where a formula can start once a spreadsheet splits the file its own way. */
const HOSTILE = [
  '=1+1',
  '+1+1',
  '-1+1',
  '@SUM(1;1)',
  '\t=1+1',
  '\r=1+1',
  ' =1+1',
  '  +1+1',
  '"=1+1',
  ';=1+1',
  'a;=1+1',
  'a; =1+1',
  'x;"=1+1',
  '=1+1\n=2+2',
  'x\n=2+2',
  'x\r\n+3+3',
  'x\r-4+4',
  'a\t=5+5',
  '\uFF1D1+1',
  '\uFF0B1+1',
  '\uFF0D1+1',
  '\uFF20SUM(1)',
  'x, =1+1',
  '=HYPERLINK("http://evil.example";"click")',
  "=cmd|' /C calc'!A0",
];
/** Column names come from the imported file, so they are hostile too. */
const FIELDS = ['note', '=1+9', 'x;=4+4'];
const PHONE = '+2348031234567';

function which(bin: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}
const SOFFICE = which('soffice');
function needSoffice(): string {
  if (!SOFFICE) {
    throw new Error(
      'LibreOffice is not installed, so the exports cannot be opened in a real spreadsheet: install libreoffice-calc (apt-get install libreoffice-calc) and run this test again.',
    );
  }
  return SOFFICE;
}

const dir = tempDir('smsdesk-export-lo-');
const profile = `-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`;
const exportsDir = path.join(dir, 'exports');
const files: Record<string, string> = {};
/** 2026-12-01 07:25:49.813 UTC, 08:25:49 in Lagos: the clock starts there and runs on */
const START = Date.UTC(2026, 11, 1, 7, 25, 49, 813);
let timed: { name: string; rows: MessageRow[] };
/** the Lagos wall clock, worked out without the code under test: UTC plus one hour */
const lagos = (ms: number) => new Date(ms + 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

/** LibreOffice's CSV import options: separator, "…" quotes, UTF-8, line 1, …, evaluate formulas. */
const csvFilter = (sep: string) => `CSV:${sep.charCodeAt(0)},34,76,1,,1033,false,true,false,false,false,-1,true`;

/** Converts files to flat ODS in outDir; returns outDir's .fods by source base name. */
function toFods(sources: string[], outDir: string, infilter?: string): Record<string, string> {
  fs.mkdirSync(outDir, { recursive: true });
  execFileSync(
    needSoffice(),
    [
      profile,
      '--headless',
      ...(infilter ? [`--infilter=${infilter}`] : []),
      '--convert-to',
      'fods',
      '--outdir',
      outDir,
      ...sources,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  );
  const out: Record<string, string> = {};
  for (const s of sources) {
    const f = path.join(outDir, `${path.basename(s, path.extname(s))}.fods`);
    expect(fs.existsSync(f), `LibreOffice converted ${s}`).toBe(true);
    out[path.basename(s)] = fs.readFileSync(f, 'utf8');
  }
  return out;
}

const decode = (s: string) =>
  s
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const formulas = (fods: string) => [...fods.matchAll(/table:formula="([^"]*)"/g)].map((m) => decode(m[1]!));
/** the text of every string cell (a multi-line cell joined by \n) */
function stringCells(fods: string): string[] {
  return [
    ...fods.matchAll(/<table:table-cell[^>]*office:value-type="string"[^>]*>([\s\S]*?)<\/table:table-cell>/g),
  ].map((m) =>
    [...m[1]!.matchAll(/<text:p>([\s\S]*?)<\/text:p>/g)]
      .map((p) =>
        decode(
          p[1]!
            .replace(/<text:s\/>/g, ' ')
            .replace(/<text:tab\/>/g, '\t')
            .replace(/<[^>]+>/g, ''),
        ),
      )
      .join('\n'),
  );
}

beforeAll(async () => {
  const t0 = Date.now();
  const engine = await createEngine({
    dataDir: path.join(dir, 'data'),
    secrets: createMemorySecrets(null),
    env: {},
    clock: { now: () => START + (Date.now() - t0), mono: () => performance.now() },
    sandbox: { timing: { dispatchMs: 20, finalMs: 60 } },
  });
  try {
    const good = numbers(HOSTILE.length).map((phone, i) => ({
      phone,
      note: HOSTILE[i]!,
      '=1+9': HOSTILE[(i + 1) % HOSTILE.length]!,
      'x;=4+4': 'plain',
    }));
    // Rejected rows: hostile phones, and a duplicate written with its plus sign.
    const bad = ['=1+2', '-5', '@x', ';=3+3', PHONE].map((phone) => ({
      phone,
      note: '=9+9',
      '=1+9': ' -1',
      'x;=4+4': 'x\n=8+8',
    }));
    makeList(
      engine,
      'hostile',
      [{ phone: PHONE.slice(1), note: 'first', '=1+9': '', 'x;=4+4': '' }, ...good, ...bad],
      FIELDS,
    );
    const list = engine.lists.list().find((l) => l.name === 'hostile')!;
    const c = await engine.campaigns.create({ list: 'hostile', from: 'ACME', text: '{note}' });
    fs.mkdirSync(exportsDir, { recursive: true });
    for (const format of ['csv', 'xlsx'] as const) {
      files[`results.${format}`] = (
        await engine.campaigns.export(c.id, path.join(exportsDir, `results.${format}`), format)
      ).file;
      files[`rejects.${format}`] = (
        await engine.lists.exportRejects(list.id, path.join(exportsDir, `rejects.${format}`), format)
      ).file;
    }
    // A campaign sent on the built-in sandbox, with a default name, so every time column is filled.
    for (const [k, v] of Object.entries({
      'dlr.initialIntervalMs': 50,
      'dlr.maxIntervalMs': 200,
      'rate.requestsPerSecond': 1000,
    }))
      engine.settings.set(k as never, v);
    makeList(
      engine,
      'lagos',
      numbers(3, 500).map((phone, i) => ({ phone, name: `N${i}` })),
    );
    const sent = await engine.campaigns.create({ list: 'lagos', from: 'ACME', text: 'Hi {name}' });
    engine.campaigns.send(sent.id);
    engine.start();
    const rows = await waitFor(() => {
      const page = engine.campaigns.messages(sent.id, { offset: 0, limit: 10 }).rows;
      return page.length === 3 && page.every((m) => m.submittedAt && m.acceptedAt && m.finalAt) ? page : null;
    }, 'the three messages to get their final status');
    timed = { name: sent.name, rows };
    for (const format of ['csv', 'xlsx'] as const) {
      files[`timed.${format}`] = (
        await engine.campaigns.export(sent.id, path.join(exportsDir, `timed.${format}`), format)
      ).file;
    }
  } finally {
    await engine.close();
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('exports open in LibreOffice Calc without a single formula', () => {
  it('the check sees formulas when there are some (a plain CSV with =1+1, either separator)', () => {
    const control = path.join(dir, 'control.csv');
    fs.writeFileSync(control, 'a,=1+1;=2+2\r\n');
    expect(formulas(toFods([control], path.join(dir, 'lo-control-comma'), csvFilter(','))['control.csv']!)).toEqual([
      'of:=1+1;=2+2',
    ]);
    expect(formulas(toFods([control], path.join(dir, 'lo-control-semicolon'), csvFilter(';'))['control.csv']!)).toEqual(
      ['of:=2+2'],
    );
  }, 120_000);

  for (const sep of [',', ';']) {
    it(`CSV results and rejected rows, opened with "${sep}" as separator`, () => {
      const sources = [files['results.csv']!, files['rejects.csv']!];
      const out = toFods(sources, path.join(dir, `lo-${sep === ',' ? 'comma' : 'semicolon'}`), csvFilter(sep));
      for (const [name, fods] of Object.entries(out)) expect(formulas(fods), `${name} read with "${sep}"`).toEqual([]);
      if (sep === ',') {
        // Read as intended, every value is there as text behind its quote, headers included.
        const results = stringCells(out['results.csv']!);
        expect(results).toEqual(
          expect.arrayContaining([
            "'=1+9",
            "x;'=4+4",
            '\'=HYPERLINK("http://evil.example";"click")',
            "a;' =1+1",
            "x\n'=2+2",
            "'\uFF1D1+1",
          ]),
        );
        const rejects = stringCells(out['rejects.csv']!);
        expect(rejects).toEqual(expect.arrayContaining(["'=1+9", "'=1+2", ";'=3+3", "x\n'=8+8"]));
        // The phone with its plus: text, every digit kept, no 2.34803E+12 and no formula.
        expect(rejects).toContain(`'${PHONE}`);
      }
    }, 120_000);
  }

  it('XLSX results and rejected rows: no formula in the sheet XML nor once opened; hostile text and phones are plain text cells, headers too', () => {
    for (const name of ['results.xlsx', 'rejects.xlsx']) {
      const entries = unzip(fs.readFileSync(files[name]!));
      const xml = [...entries]
        .filter(([n]) => /^xl\/(worksheets\/.*|sharedStrings)\.xml$/.test(n))
        .map(([, b]) => b.toString('utf8'))
        .join('\n');
      expect(xml.length, `${name} has sheet XML`).toBeGreaterThan(100);
      expect(xml.match(/<f[\s>]/g) ?? [], `${name} formula elements`).toEqual([]);
      // the text as it was: a string cell is never a formula, so it needs no quote in front
      expect(decode(xml)).toContain('=1+9');
      expect(decode(xml)).not.toContain("'=");
    }
    const out = toFods([files['results.xlsx']!, files['rejects.xlsx']!], path.join(dir, 'lo-xlsx'));
    for (const [name, fods] of Object.entries(out)) {
      expect(formulas(fods), name).toEqual([]);
      const cells = stringCells(fods);
      expect(cells, name).toEqual(
        expect.arrayContaining(
          ['=1+9', 'x;=4+4', '=HYPERLINK("http://evil.example";"click")'].slice(0, name === 'results.xlsx' ? 3 : 2),
        ),
      );
      expect(
        cells.filter((c) => c.startsWith("'")),
        `${name}: no cell shows an apostrophe`,
      ).toEqual([]);
    }
    // The phone with its plus, as text: no apostrophe, no 2.34803E+12, every digit.
    expect(stringCells(out['rejects.xlsx']!)).toContain(PHONE);
    expect(stringCells(out['results.xlsx']!)).toContain(PHONE.slice(1));
  }, 120_000);
});

describe("times in the exports are the user's own (Lagos, UTC+01:00)", () => {
  it('the default campaign name carries the local time of its creation', () => {
    expect(timed.name).toBe(`lagos, ${lagos(START).slice(0, 16)}`); // "lagos, 2026-12-01 08:25"
  });

  it('CSV: local time with its offset, e.g. 2026-12-01 08:25:49 +01:00', () => {
    const lines = fs
      .readFileSync(files['timed.csv']!, 'utf8')
      .slice(1)
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const col = (n: string) => lines[0]!.indexOf(n);
    for (const [i, m] of timed.rows.entries()) {
      const line = lines[i + 1]!;
      expect(line[col('submitted_at')]).toBe(`${lagos(m.submittedAt!)} +01:00`);
      expect(line[col('accepted_at')]).toBe(`${lagos(m.acceptedAt!)} +01:00`);
      expect(line[col('final_at')]).toBe(`${lagos(m.finalAt!)} +01:00`);
    }
    expect(lines[1]![col('submitted_at')]).toMatch(/^2026-12-01 08:2\d:\d\d \+01:00$/);
  });

  it('XLSX, opened in LibreOffice: real date cells holding the Lagos wall clock, shown with date and seconds', () => {
    const fods = toFods([files['timed.xlsx']!], path.join(dir, 'lo-timed'))['timed.xlsx']!;
    // equal neighbours come as one cell with table:number-columns-repeated
    const dates = [
      ...fods.matchAll(/<table:table-cell([^>]*office:value-type="date"[^>]*)>\s*<text:p>([^<]*)<\/text:p>/g),
    ].flatMap((m) =>
      Array<{ value: string; shown: string }>(Number(/number-columns-repeated="(\d+)"/.exec(m[1]!)?.[1] ?? 1)).fill({
        value: /office:date-value="([^"]+)"/.exec(m[1]!)![1]!,
        shown: m[2]!,
      }),
    );
    const want = timed.rows.flatMap((m) => [m.submittedAt!, m.acceptedAt!, m.finalAt!]).map((ms) => lagos(ms));
    expect(dates.map((d) => d.value.slice(0, 19).replace('T', ' '))).toEqual(want);
    expect(dates.map((d) => d.shown)).toEqual(want);
  }, 120_000);
});
