import type { IncomingHttpHeaders } from 'node:http';
import type { HttpResult } from './http.ts';
import { ANSWER_TIMEOUT, CONNECT_TIMEOUT } from './http.ts';
import { carriesSecret, redact } from '../redact.ts';

export type SendOutcome =
  /** refusedRef: the gateway's reference_id carried the token, so the client reference stands in */
  | { kind: 'accepted'; gatewayRef: string; processed: number | null; httpStatus: number; refusedRef?: true }
  | { kind: 'retry'; reason: string; retryAfterMs: number | null; httpStatus: number | null; neverSent: boolean }
  | { kind: 'failed'; reason: string; httpStatus: number; campaignWide: boolean }
  | { kind: 'auth'; reason: string; httpStatus: number }
  | { kind: 'uncertain'; reason: string; httpStatus: number | null };

/**
 * Everything the gateway said, with the token cut out in every form (../redact.ts) before any
 * of it is parsed, clipped, logged or stored: body, status line, headers. A hostile or buggy
 * gateway that echoes the Authorization header leaves nothing for later steps to leak.
 */
export function scrubAnswer(r: HttpResult, token: string): HttpResult {
  if (r.kind === 'network') return { ...r, message: redact(r.message, token), code: redact(r.code, token) };
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(r.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.map((x) => redact(x, token)) : redact(v, token);
  }
  return { ...r, statusText: redact(r.statusText, token), headers, body: redact(r.body, token) };
}

/**
 * An identifier from the gateway (reference_id, batch_id) that we would store and later put in
 * a report URL: null when it carries the token in any form, so it is never stored or requested.
 */
export function usableId(id: string, token: string | null | undefined): string | null {
  return carriesSecret(id, token) ? null : id;
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The gateway's human message: 9bits `message`, Sinch `text`, or the usual alternatives. The
 * token is cut out before the message is clipped: half a token no longer matches.
 */
export function answerMessage(body: string, token?: string | null): string | null {
  const clip = (s: string) => clipMessage(redact(s, token));
  const json = parseJson(body);
  if (isObject(json)) {
    for (const key of ['message', 'text', 'error_description', 'detail', 'description', 'error']) {
      const v = json[key];
      if (typeof v === 'string' && v.trim()) return clip(v);
      if (isObject(v) && typeof v.message === 'string' && v.message.trim()) return clip(v.message);
    }
    if (typeof json.code === 'string' && json.code.trim()) return clip(json.code);
    return null;
  }
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? clip(text) : null;
}

function clipMessage(s: string): string {
  // Trailing full stops go: the message is quoted inside a sentence of ours.
  const t = s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.\s]+$/, '');
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}

/** Integer-ish numbers, also when the gateway sends them as strings. */
export function asInt(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return null;
}

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | null {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/**
 * Would every batch of this campaign fail the same way? The rule, in order:
 * 1. 404, 405, 415 (wrong endpoint, method or format), 402 (account cannot pay) and
 *    413 (batch too large: every batch has the same size) → yes.
 * 2. A message about the sender ID (`from`, "sender", "originator") → yes.
 * 3. A message about recipients (`to`, "recipient", "msisdn", "number", "phone",
 *    "destination") → no: the next batch has other recipients.
 * 4. A message about the text or the request shape ("body", "content", "message",
 *    "field", "parameter", "json", "format", "required", "missing") → yes.
 * 5. Anything else, or no message at all → yes. Pausing costs the user one click to resume;
 *    guessing wrong the other way fails every remaining batch of the campaign.
 */
export function isCampaignWide(httpStatus: number, message: string | null): boolean {
  if ([402, 404, 405, 413, 415].includes(httpStatus)) return true;
  const m = (message ?? '').toLowerCase();
  if (/sender|originator|\bfrom\b/.test(m)) return true;
  if (/recipient|msisdn|number|phone|destination|\bto\b|mobile|\bdnd\b/.test(m)) return false;
  return true;
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'the gateway refused the connection (service down or wrong address)',
  ENOTFOUND: 'the gateway host name could not be found (offline, or wrong address)',
  EAI_AGAIN: 'the gateway host name could not be looked up (offline or DNS trouble)',
  [CONNECT_TIMEOUT]: 'no connection to the gateway could be made in time',
  ENETUNREACH: 'the network is unreachable (offline)',
  EHOSTUNREACH: 'the gateway host is unreachable (offline)',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection broke while sending',
};

export function describeNetwork(r: Extract<HttpResult, { kind: 'network' }>, host: string): string {
  if (r.code === ANSWER_TIMEOUT) return `The gateway at ${host} did not answer: ${r.message}.`;
  const words = NETWORK_WORDS[r.code];
  if (words) return `${capital(words)} (${host}, ${r.code}).`;
  if (/cert|tls|ssl|handshake/i.test(`${r.code} ${r.message}`)) {
    return `The secure connection to ${host} failed: ${r.message} (${r.code}). The certificate is never ignored; check the address or the network (a proxy intercepting https).`;
  }
  return `Network error talking to ${host}: ${r.message} (${r.code}).`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function statusLine(r: Extract<HttpResult, { kind: 'answer' }>): string {
  return `HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`;
}

/** The contract's error table, applied to one answer to a send request. */
export function classifySend(
  r: HttpResult,
  ctx: { host: string; clientRef: string | null; now: number; token: string },
): SendOutcome {
  const out = classifyRaw(scrubAnswer(r, ctx.token), ctx);
  if ('reason' in out) out.reason = redact(out.reason, ctx.token);
  return out;
}

function classifyRaw(
  r: HttpResult,
  ctx: { host: string; clientRef: string | null; now: number; token: string },
): SendOutcome {
  if (r.kind === 'network') {
    const reason = describeNetwork(r, ctx.host);
    if (r.phase === 'before-send')
      return { kind: 'retry', reason, retryAfterMs: null, httpStatus: null, neverSent: true };
    return {
      kind: 'uncertain',
      reason: `${reason} The request had been sent, so the gateway may have accepted it.`,
      httpStatus: null,
    };
  }
  const s = r.status;
  const msg = r.incomplete ? null : answerMessage(r.body, ctx.token);
  const said = msg ? `: ${msg}` : '';
  if (s >= 200 && s < 300) return classifyOk(r, ctx);
  if (s === 401 || s === 403) {
    return {
      kind: 'auth',
      reason: `The gateway refused the API token (${statusLine(r)})${said}. Enter a new token from the 9bits portal.`,
      httpStatus: s,
    };
  }
  if (s === 429) {
    return {
      kind: 'retry',
      reason: `The gateway asked to slow down (${statusLine(r)})${said}.`,
      retryAfterMs: retryAfterMs(r.headers['retry-after'], ctx.now),
      httpStatus: s,
      neverSent: false,
    };
  }
  if (s === 503 || s === 408) {
    return {
      kind: 'retry',
      reason: `The gateway did not process the request (${statusLine(r)})${said}.`,
      retryAfterMs: retryAfterMs(r.headers['retry-after'], ctx.now),
      httpStatus: s,
      neverSent: false,
    };
  }
  if (s >= 500) {
    return {
      kind: 'uncertain',
      reason: `The gateway answered ${statusLine(r)}${said}; it may or may not have accepted the batch.`,
      httpStatus: s,
    };
  }
  if (s >= 300 && s < 400) {
    const where = typeof r.headers.location === 'string' ? ` to ${r.headers.location}` : '';
    return {
      kind: 'failed',
      reason: `The gateway answered with a redirect (${statusLine(r)})${where}, which is not followed. Check the gateway.baseUrl and path settings.`,
      httpStatus: s,
      campaignWide: true,
    };
  }
  return {
    kind: 'failed',
    reason: `The gateway refused the batch (${statusLine(r)})${said}.`,
    httpStatus: s,
    campaignWide: isCampaignWide(s, msg),
  };
}

function classifyOk(
  r: Extract<HttpResult, { kind: 'answer' }>,
  ctx: { clientRef: string | null; token: string },
): SendOutcome {
  const unreadable = (why: string): SendOutcome => ({
    kind: 'uncertain',
    reason: `The gateway answered ${statusLine(r)} but ${why}; it may or may not have accepted the batch.`,
    httpStatus: r.status,
  });
  if (r.incomplete) return unreadable('the answer was cut short');
  const json = parseJson(r.body);
  if (!isObject(json)) return unreadable('the answer is not a JSON object');
  const code = asInt(json.status_code);
  if (code === null) return unreadable('the answer has no status_code');
  if (code !== 200) {
    const msg = answerMessage(r.body, ctx.token);
    const said = msg ? `: ${msg}` : '';
    if (code === 401 || code === 403) {
      return {
        kind: 'auth',
        reason: `The gateway refused the API token (status_code ${code})${said}. Enter a new token from the 9bits portal.`,
        httpStatus: r.status,
      };
    }
    return {
      kind: 'failed',
      reason: `The gateway refused the batch (status_code ${code})${said}.`,
      httpStatus: r.status,
      campaignWide: isCampaignWide(code, msg),
    };
  }
  const given =
    typeof json.reference_id === 'string' && json.reference_id.trim()
      ? json.reference_id.trim()
      : typeof json.reference_id === 'number'
        ? String(json.reference_id)
        : null;
  // A reference carrying the token would be stored and put into report URLs: the batch is
  // tracked by our own client reference instead, which the gateway also knows it by.
  const refused = given !== null && usableId(given, ctx.token) === null;
  const processed = asInt(json.recipients_processed);
  return {
    kind: 'accepted',
    gatewayRef: (refused ? null : given) ?? ctx.clientRef ?? '',
    processed: processed !== null && processed >= 0 ? processed : null,
    httpStatus: r.status,
    ...(refused ? { refusedRef: true as const } : {}),
  };
}
