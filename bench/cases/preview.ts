import { analyze, compileTemplate } from '../../shared/sms/index.ts';
import { contactRows, HEADER } from '../lib/data.ts';

function textOf(len: number, extra = ''): string {
  const words = 'Dear customer your order is ready for pickup at our Lagos store from Monday to Friday thanks ';
  let s = '';
  while (s.length < len - extra.length) s += words;
  return s.slice(0, len - extra.length) + extra;
}

/** analyze() on a 1,600-character text (GSM-7, and the same with one curly quote: UCS-2). */
export async function analyzeCalls(a: { calls: number }) {
  const out: Record<string, number> = {};
  for (const [name, text] of [
    ['gsm', textOf(1600)],
    ['ucs2', textOf(1600, '\u2019')],
  ] as const) {
    let sink = 0;
    for (let i = 0; i < 2000; i++) sink += analyze(text).parts; // warm-up
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < a.calls; i++) sink += analyze(text).parts;
    out[`${name}Ms`] = Number(process.hrtime.bigint() - t0) / 1e6 / a.calls;
    // Baseline for scale: one charCodeAt pass over the same text.
    t0 = process.hrtime.bigint();
    for (let i = 0; i < a.calls; i++) {
      let s = 0;
      for (let j = 0; j < text.length; j++) s += text.charCodeAt(j);
      sink += s & 1;
    }
    out[`${name}ScanMs`] = Number(process.hrtime.bigint() - t0) / 1e6 / a.calls;
    if (sink === -1) console.log(sink);
  }
  return out;
}

const TEMPLATE_FIELDS = 'Hello {first_name}, your order is ready for pickup in {city}. Reply STOP to opt out.';

/** Renders `rows` recipients through the engine's compiled template, and through a plain String.replace loop. */
export async function renderRows(a: { rows: number; which: 'engine' | 'baseline' }) {
  const rows: Array<Record<string, string>> = [];
  for (const [p, f, c] of contactRows(a.rows)) rows.push({ [HEADER[0]]: p, [HEADER[1]]: f, [HEADER[2]]: c });
  let total = 0;
  const t0 = process.hrtime.bigint();
  if (a.which === 'engine') {
    const compiled = compileTemplate(TEMPLATE_FIELDS, HEADER);
    if (!compiled.ok) throw new Error(compiled.message);
    for (const r of rows) total += compiled.render(r).length;
  } else {
    const fn = HEADER[1];
    const ci = HEADER[2];
    for (const r of rows) total += TEMPLATE_FIELDS.replace('{first_name}', r[fn]).replace('{city}', r[ci]).length;
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { wallMs, total };
}
