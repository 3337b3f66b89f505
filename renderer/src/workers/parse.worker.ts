/// <reference lib="webworker" />
/**
 * Parses the contact file off the UI thread: picks the sheet and header row, then streams
 * contact rows to the page in chunks, one chunk at a time (the page asks for the next one
 * after the engine has stored the last), so a million rows never sit in memory twice.
 */
import { detectColumns, detectHeaderRow, fieldNames } from '../../../shared/import/columns.ts';
import { noContactsBelowHeader } from '../../../shared/import/errors.ts';
import type { RawContactRow } from '../../../shared/import/rows.ts';
import type { FromWorker, Layout, StreamPlan, ToWorker } from './protocol.ts';
import { openSource, type Source } from './sources.ts';

const HEAD_ROWS = 60;
const SAMPLE = 20;

const scope = self as unknown as DedicatedWorkerGlobalScope;
let source: Source | null = null;
let fileName = '';
let current: { sheet: string | null; headerRow: number; reason: string } | null = null;
let signal = { cancelled: false };
let waiting: (() => void) | null = null;

const post = (m: FromWorker) => scope.postMessage(m);
const fail = (e: unknown) =>
  post({ type: 'error', message: e instanceof Error && e.message ? e.message : 'The file could not be read.' });
const blank = (r: string[]) => r.every((c) => c == null || String(c).trim() === '');

async function layout(sheet: string | null, headerRow: number | null, sheetReason: string): Promise<Layout> {
  if (!source) throw new Error('Open a file first.');
  const top = await source.head(sheet, HEAD_ROWS);
  if (top.every(blank))
    throw new Error(
      `${sheet ? `Sheet “${sheet}” of ${fileName}` : fileName} has no rows: choose the sheet or file that holds your contacts.`,
    );
  const detected = headerRow == null;
  const headerIndex = detected ? detectHeaderRow(top) : headerRow - 1;
  const header = headerIndex >= 0 ? (top[headerIndex] ?? []) : [];
  const sample = top.slice(headerIndex + 1).filter((r) => !blank(r));
  // The whole file was read (fewer rows than asked for) and nothing is under the header: importing
  // would make a list of nobody, so say so now, as `smsdesk import` and the engine's commit do.
  if (sample.length === 0 && headerIndex >= 0 && top.length < HEAD_ROWS)
    throw noContactsBelowHeader(
      sheet && source.sheets.length > 1 ? `sheet “${sheet}” of ${fileName}` : fileName,
      headerIndex + 1,
    );
  const width = Math.max(header.length, ...sample.map((r) => r.length), 1);
  const headers = fieldNames(
    header.map((c) => String(c ?? '')),
    width,
  );
  const { phoneColumn } = detectColumns(header, sample.slice(0, 40));
  const count = source.rowCount(sheet);
  const headerText =
    headerIndex < 0
      ? 'No header row found: columns are named by letter.'
      : detected
        ? `Header on row ${headerIndex + 1}${headerIndex > 0 ? ` (${headerIndex === 1 ? 'the row above looks' : `the ${headerIndex} rows above look`} like a title)` : ''}.`
        : `Header on row ${headerIndex + 1}, as you chose.`;
  const phoneText =
    phoneColumn >= 0
      ? ` Phone numbers look to be in “${headers[phoneColumn]}”.`
      : ' No column looks like phone numbers yet.';
  current = { sheet, headerRow: Math.max(0, headerIndex + 1), reason: sheetReason };
  return {
    fileName,
    sheets: source.sheets,
    sheet,
    headerRow: Math.max(0, headerIndex + 1),
    headers,
    phoneColumn,
    sample: sample.slice(0, SAMPLE).map((r) => headers.map((_, i) => String(r[i] ?? ''))),
    top: top.slice(0, Math.max(0, headerIndex + 1)),
    dataRows: count == null ? null : Math.max(0, count - (headerIndex + 1)),
    encoding: source.encoding,
    reason: `${sheetReason} ${headerText}${phoneText}`,
  };
}

async function stream(plan: StreamPlan): Promise<void> {
  if (!source || !current) throw new Error('Open a file first.');
  const headerRow = current.headerRow;
  signal = { cancelled: false };
  const mine = signal;
  let buffer: RawContactRow[] = [];
  let read = 0;
  let progress = { done: 0, total: 1 };
  const flush = async () => {
    const rows = buffer;
    buffer = [];
    post({ type: 'chunk', rows, read, progress });
    await new Promise<void>((resolve) => {
      waiting = resolve;
    });
  };
  await source.stream(
    current.sheet,
    async (rows, firstRow, p) => {
      progress = p;
      for (let i = 0; i < rows.length; i++) {
        const rowNo = firstRow + i;
        const cells = rows[i];
        if (rowNo <= headerRow || blank(cells)) continue;
        const fields: Record<string, string> = {};
        for (const f of plan.fields) fields[f.name] = String(cells[f.column] ?? '');
        buffer.push({ row: rowNo, phone: String(cells[plan.phoneColumn] ?? '').trim(), fields });
        read++;
        if (buffer.length >= plan.chunkSize) {
          await flush();
          if (mine.cancelled) return;
        }
      }
    },
    mine,
  );
  if (mine.cancelled) return;
  progress = { done: progress.total, total: progress.total };
  if (buffer.length > 0) await flush();
  if (mine.cancelled) return;
  post({ type: 'end', total: read });
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'open':
      fileName = m.file.name;
      source = null;
      openSource(m.file)
        .then(async (s) => {
          source = s;
          const best = await s.bestSheet();
          post({ type: 'layout', layout: await layout(best.sheet, null, best.reason) });
        })
        .catch(fail);
      return;
    case 'choose': {
      const reason =
        m.sheet && current?.sheet !== m.sheet ? `Sheet “${m.sheet}”, as you chose.` : (current?.reason ?? '');
      layout(m.sheet, m.headerRow > 0 ? m.headerRow : null, reason).then(
        (l) => post({ type: 'layout', layout: l }),
        fail,
      );
      return;
    }
    case 'stream':
      stream(m.plan).catch(fail);
      return;
    case 'next': {
      const w = waiting;
      waiting = null;
      w?.();
      return;
    }
    case 'cancel': {
      signal.cancelled = true;
      const w = waiting;
      waiting = null;
      w?.();
      return;
    }
  }
};
