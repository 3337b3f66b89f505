import type { HttpResult } from './http.ts';
import {
  answerMessage,
  asInt,
  describeNetwork,
  isObject,
  parseJson,
  retryAfterMs,
  scrubAnswer,
  usableId,
} from './classify.ts';
import { carriesSecret, redact } from '../redact.ts';

export type ReportError = {
  kind: 'error';
  reason: string;
  retryable: boolean;
  auth?: boolean;
  retryAfterMs?: number | null;
};
export type ReportStatusGroup = { code: number | null; status: string; count: number; recipients: string[] | null };
export type BatchReport =
  /** refusedBatchId: the report's batch_id carried the token, so the reference asked for stands in */
  | { kind: 'ok'; batchId: string; total: number | null; statuses: ReportStatusGroup[]; refusedBatchId?: true }
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
function classifyReport<T>(
  raw: HttpResult,
  ctx: Ctx,
  parse: (json: unknown) => T | null,
): T | { kind: 'not-found' } | ReportError {
  const err = (reason: string, retryable: boolean, extra: Partial<ReportError> = {}): ReportError => ({
    kind: 'error',
    reason: redact(reason, ctx.token),
    retryable,
    ...extra,
  });
  const r = scrubAnswer(raw, ctx.token);
  if (r.kind === 'network') return err(`Could not fetch ${ctx.what}: ${describeNetwork(r, ctx.host)}`, true);
  const s = r.status;
  if (s === 404) return { kind: 'not-found' };
  // The gateway's own message is read only for the sentences that quote it: a report's body is
  // parsed once, not twice.
  const said = () => {
    const m = r.incomplete ? null : answerMessage(r.body, ctx.token);
    return m ? `: ${m}` : '';
  };
  const line = `HTTP ${s}${r.statusText ? ` ${r.statusText}` : ''}`;
  if (s === 401 || s === 403)
    return err(
      `The gateway refused the API token when fetching ${ctx.what} (${line})${said()}. Enter a new token from the 9bits portal.`,
      false,
      { auth: true },
    );
  if (s === 429 || s === 408 || s >= 500) {
    return err(`The gateway could not give ${ctx.what} now (${line})${said()}.`, true, {
      retryAfterMs: retryAfterMs(r.headers['retry-after'], ctx.now),
    });
  }
  if (s >= 200 && s < 300) {
    const parsed = r.incomplete ? null : parse(parseJson(r.body));
    if (parsed) return parsed;
    return err(`The gateway answered ${line} for ${ctx.what} but the answer could not be read.`, true);
  }
  return err(
    `The gateway refused the request for ${ctx.what} (${line})${said()}. Check the gateway.dlrBatchPath / gateway.dlrRecipientPath settings.`,
    false,
  );
}

/** A string field of the answer, the token cut out (a JSON escape can hide it from the body scrub). */
function textOf(v: unknown, token: string | null | undefined): string | null {
  if (typeof v === 'string') return redact(v, token);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/**
 * textOf over a list (a group's recipients, up to a batch long): one search over the whole list
 * when none of it carries the token, which a match inside any one string would also be.
 */
function textsOf(vs: unknown[], token: string | null | undefined): string[] {
  const strings = vs.filter((v): v is string => typeof v === 'string');
  const clean = !carriesSecret(strings.join('\n'), token);
  const out: string[] = [];
  for (const v of vs) {
    if (typeof v === 'string') out.push(clean ? v : redact(v, token));
    else if (typeof v === 'number' && Number.isFinite(v)) out.push(String(v));
  }
  return out;
}

export function parseBatchReport(
  json: unknown,
  ref: string,
  token?: string | null,
): Extract<BatchReport, { kind: 'ok' }> | null {
  const str = (v: unknown) => textOf(v, token);
  if (!isObject(json) || !Array.isArray(json.statuses)) return null;
  const statuses: ReportStatusGroup[] = [];
  for (const g of json.statuses) {
    if (!isObject(g)) continue;
    const status = str(g.status);
    if (status === null) continue;
    const recipients = Array.isArray(g.recipients) ? textsOf(g.recipients, token) : null;
    const count = asInt(g.count);
    statuses.push({
      code: asInt(g.code),
      status,
      count: count !== null && count >= 0 ? count : (recipients?.length ?? 0),
      recipients,
    });
  }
  const total = asInt(json.total_message_count);
  // The raw value is checked: a batch id is stored, so a redacted one is as unusable as the token.
  const given = typeof json.batch_id === 'string' || typeof json.batch_id === 'number' ? String(json.batch_id) : null;
  const refused = given !== null && usableId(given, token) === null;
  return {
    kind: 'ok',
    batchId: (refused ? null : given) ?? ref,
    total: total !== null && total >= 0 ? total : null,
    statuses,
    ...(refused ? { refusedBatchId: true as const } : {}),
  };
}

export function parseRecipientReport(
  json: unknown,
  msisdn: string,
  token?: string | null,
): Extract<RecipientReport, { kind: 'ok' }> | null {
  const str = (v: unknown) => textOf(v, token);
  if (!isObject(json)) return null;
  const status = str(json.status);
  if (status === null) return null;
  return { kind: 'ok', recipient: str(json.recipient) ?? msisdn, code: asInt(json.code), status, at: str(json.at) };
}

export function classifyBatchReport(r: HttpResult, ctx: Omit<Ctx, 'what'>, ref: string): BatchReport {
  return classifyReport(r, { ...ctx, what: `the delivery report of batch ${ref}` }, (j) =>
    parseBatchReport(j, ref, ctx.token),
  );
}

export function classifyRecipientReport(
  r: HttpResult,
  ctx: Omit<Ctx, 'what'>,
  ref: string,
  msisdn: string,
): RecipientReport {
  return classifyReport(r, { ...ctx, what: `the delivery report of ${msisdn} in batch ${ref}` }, (j) =>
    parseRecipientReport(j, msisdn, ctx.token),
  );
}
