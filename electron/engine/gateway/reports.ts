import type { HttpResult } from './http.ts';
import { answerMessage, asInt, describeNetwork, isObject, parseJson, redact, retryAfterMs } from './classify.ts';

export type ReportError = { kind: 'error'; reason: string; retryable: boolean; auth?: boolean; retryAfterMs?: number | null };
export type ReportStatusGroup = { code: number | null; status: string; count: number; recipients: string[] | null };
export type BatchReport =
  | { kind: 'ok'; batchId: string; total: number | null; statuses: ReportStatusGroup[] }
  | { kind: 'not-found' }
  | ReportError;
export type RecipientReport =
  | { kind: 'ok'; recipient: string; code: number | null; status: string; at: string | null }
  | { kind: 'not-found' }
  | ReportError;

type Ctx = { host: string; token: string; now: number; what: string };

/**
 * A report lookup is a GET: repeating it is always safe, so every network failure is simply
 * retryable. A 404 means the gateway does not know the reference (or the recipient in it).
 */
function classifyReport<T>(r: HttpResult, ctx: Ctx, parse: (json: unknown) => T | null): T | { kind: 'not-found' } | ReportError {
  const err = (reason: string, retryable: boolean, extra: Partial<ReportError> = {}): ReportError =>
    ({ kind: 'error', reason: redact(reason, ctx.token), retryable, ...extra });
  if (r.kind === 'network') return err(`Could not fetch ${ctx.what}: ${describeNetwork(r, ctx.host)}`, true);
  const s = r.status;
  const msg = r.incomplete ? null : answerMessage(r.body);
  const said = msg ? `: ${msg}` : '';
  const line = `HTTP ${s}${r.statusText ? ` ${r.statusText}` : ''}`;
  if (s === 404) return { kind: 'not-found' };
  if (s === 401 || s === 403) return err(`The gateway refused the API token when fetching ${ctx.what} (${line})${said}. Enter a new token from the 9bits portal.`, false, { auth: true });
  if (s === 429 || s === 408 || s >= 500) {
    return err(`The gateway could not give ${ctx.what} now (${line})${said}.`, true, { retryAfterMs: retryAfterMs(r.headers['retry-after'], ctx.now) });
  }
  if (s >= 200 && s < 300) {
    const parsed = r.incomplete ? null : parse(parseJson(r.body));
    if (parsed) return parsed;
    return err(`The gateway answered ${line} for ${ctx.what} but the answer could not be read.`, true);
  }
  return err(`The gateway refused the request for ${ctx.what} (${line})${said}. Check the gateway.dlrBatchPath / gateway.dlrRecipientPath settings.`, false);
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

export function parseBatchReport(json: unknown, ref: string): Extract<BatchReport, { kind: 'ok' }> | null {
  if (!isObject(json) || !Array.isArray(json.statuses)) return null;
  const statuses: ReportStatusGroup[] = [];
  for (const g of json.statuses) {
    if (!isObject(g)) continue;
    const status = str(g.status);
    if (status === null) continue;
    const recipients = Array.isArray(g.recipients) ? g.recipients.map(str).filter((x): x is string => x !== null) : null;
    const count = asInt(g.count);
    statuses.push({ code: asInt(g.code), status, count: count !== null && count >= 0 ? count : recipients?.length ?? 0, recipients });
  }
  const total = asInt(json.total_message_count);
  return { kind: 'ok', batchId: str(json.batch_id) ?? ref, total: total !== null && total >= 0 ? total : null, statuses };
}

export function parseRecipientReport(json: unknown, msisdn: string): Extract<RecipientReport, { kind: 'ok' }> | null {
  if (!isObject(json)) return null;
  const status = str(json.status);
  if (status === null) return null;
  return { kind: 'ok', recipient: str(json.recipient) ?? msisdn, code: asInt(json.code), status, at: str(json.at) };
}

export function classifyBatchReport(r: HttpResult, ctx: Omit<Ctx, 'what'>, ref: string): BatchReport {
  return classifyReport(r, { ...ctx, what: `the delivery report of batch ${ref}` }, (j) => parseBatchReport(j, ref));
}

export function classifyRecipientReport(r: HttpResult, ctx: Omit<Ctx, 'what'>, ref: string, msisdn: string): RecipientReport {
  return classifyReport(r, { ...ctx, what: `the delivery report of ${msisdn} in batch ${ref}` }, (j) => parseRecipientReport(j, msisdn));
}

