import type { DB } from '../db/open.ts';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EXPORT_PAGE, writeTable } from '../tableFile.ts';
import type { ExportResult } from '../../../shared/exports.ts';
import { UserError } from '../errors.ts';
import { MEMBER_JOIN, MESSAGE_COLUMNS } from '../queue/status.ts';
import { NETWORK_GROUP_LABEL, networkGroup } from '../../../shared/phone/networks.ts';

/** a moment: writeTable makes it a local date cell (XLSX) or local time with its offset (CSV) */
const when = (t: unknown) => (typeof t === 'number' ? new Date(t) : '');

/**
 * One row per recipient: original fields, text, parts, status, reason, times. The network column
 * names the dashboard's groups (MTN … Other Nigerian, Abroad), so a pivot of the file matches it.
 */
export async function exportCampaign(
  db: DB,
  campaignId: number,
  file: string,
  format: 'csv' | 'xlsx',
): Promise<ExportResult> {
  const c = db.prepare<[number], { id: number }>('SELECT id FROM campaigns WHERE id = ?').get(campaignId);
  if (!c) throw new UserError('NOT_FOUND', `There is no campaign ${campaignId}.`);
  // The merge-field columns: the union of field names, in first-seen order.
  const fieldNames: string[] = [];
  const seen = new Set<string>();
  const first = db
    .prepare<[number], { fields: string }>('SELECT fields FROM messages WHERE campaign_id = ? ORDER BY seq LIMIT 1')
    .get(campaignId);
  for (const k of Object.keys(JSON.parse(first?.fields ?? '{}')))
    if (!seen.has(k)) {
      seen.add(k);
      fieldNames.push(k);
    }
  const header = [
    'seq',
    'msisdn',
    'network',
    ...fieldNames,
    'text',
    'encoding',
    'parts',
    'status',
    'gateway_status',
    'reason',
    'submitted_at',
    'accepted_at',
    'final_at',
  ];
  // Read in pages by seq, the event loop turning between them: the send loop and every other call
  // go on while a big campaign is written (an open iterator would keep the shared connection
  // busy, and one synchronous pass held the engine's thread for seconds).
  const page = db.prepare<[number, number], Record<string, unknown>>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MEMBER_JOIN} WHERE m.campaign_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ${EXPORT_PAGE}`,
  );
  const toRow = (m: Record<string, unknown>) => {
    const f = JSON.parse((m.fields as string) || '{}') as Record<string, string>;
    return [
      m.seq,
      m.msisdn,
      NETWORK_GROUP_LABEL[networkGroup(m.msisdn as string, (m.network as string | null) ?? null)],
      ...fieldNames.map((k) => f[k] ?? ''),
      m.text,
      m.encoding,
      m.parts,
      m.status,
      m.raw_status ?? '',
      m.reason ?? '',
      when(m.submitted_at),
      when(m.accepted_at),
      when(m.final_at),
    ];
  };
  async function* rows() {
    for (let after = 0; ;) {
      const got = page.all(campaignId, after);
      yield got.map(toRow);
      if (got.length < EXPORT_PAGE) return;
      after = got[got.length - 1].seq as number;
      await yieldToLoop();
    }
  }
  try {
    return await writeTable(file, format, header, rows(), 'Results');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError('EXPORT_FAILED', `Could not write ${file}: ${(e as Error).message}. Choose another folder.`);
  }
}
