import { randomUUID } from 'node:crypto';
import { settingsSchema, type SettingKey, type Settings } from '../../../shared/settings.ts';
import { httpRequest, type HttpResult } from './http.ts';
import { classifySend, type SendOutcome } from './classify.ts';
import { redact } from '../redact.ts';
import { classifyBatchReport, classifyRecipientReport, type BatchReport, type RecipientReport } from './reports.ts';
import { fillTemplate, gatewayUrl } from './url.ts';

export type { SendOutcome } from './classify.ts';
export type { BatchReport, RecipientReport, ReportError, ReportStatusGroup } from './reports.ts';

export interface SendRequest {
  from: string;
  to: string[];
  text: string;
  clientRef: string | null;
  /** ISO 8601; in the future, 9bits holds the batch until then */
  sendAt?: string | null;
}

export interface GatewayClientDeps {
  settings: { get(key: SettingKey): unknown };
  token: () => Promise<string>;
  /** overrides gateway.baseUrl, e.g. SMSDESK_GATEWAY_URL or the sandbox's url */
  baseUrl?: () => string;
  log?: (msg: string) => void;
  now?: () => number;
}

export interface GatewayClient {
  send(req: SendRequest): Promise<SendOutcome>;
  fetchBatchReport(ref: string): Promise<BatchReport>;
  fetchRecipientReport(ref: string, msisdn: string): Promise<RecipientReport>;
  /** asks for the report of a reference that cannot exist: 401/403 = token refused, 404/200 = accepted */
  checkToken(): Promise<{ ok: boolean; message: string }>;
}

const SEND_BODY_CAP = 1024 * 1024;
// A full report lists every recipient; a 10,000-recipient batch is a few hundred KB.
const REPORT_BODY_CAP = 16 * 1024 * 1024;

export function createGatewayClient(deps: GatewayClientDeps): GatewayClient {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => {});

  function setting<K extends SettingKey>(key: K): Settings[K] {
    const parsed = settingsSchema[key].safeParse(deps.settings.get(key));
    return (parsed.success ? parsed.data : settingsSchema[key].parse(undefined)) as Settings[K];
  }

  /** The token, or a sentence saying why there is none usable. Never echoes the value. */
  async function getToken(): Promise<{ ok: true; token: string } | { ok: false; reason: string }> {
    let token: string;
    try {
      token = String((await deps.token()) ?? '').trim();
    } catch {
      return {
        ok: false,
        reason: 'The API token could not be read from the keychain. Enter the token again in Settings.',
      };
    }
    if (!token) return { ok: false, reason: 'No API token is set. Enter the token from the 9bits portal in Settings.' };
    if (!/^[\x21-\x7e]+$/.test(token)) {
      return {
        ok: false,
        reason: 'The API token contains spaces or characters that cannot be sent. Copy it again from the 9bits portal.',
      };
    }
    return { ok: true, token };
  }

  function target(path: string) {
    const base = deps.baseUrl?.() || setting('gateway.baseUrl');
    return gatewayUrl(base, path);
  }

  function exchange(
    url: URL,
    token: string,
    method: 'GET' | 'POST',
    body: string | undefined,
    cap: number,
  ): Promise<HttpResult> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (method === 'POST') headers['Content-Type'] = 'application/json';
    return httpRequest({
      url,
      method,
      headers,
      body,
      connectTimeoutMs: setting('gateway.connectTimeoutMs'),
      answerTimeoutMs: setting('gateway.answerTimeoutMs'),
      maxBodyBytes: cap,
    });
  }

  function sendBody(req: SendRequest): string {
    const field = setting('gateway.messageField');
    const body: Record<string, unknown> = { from: req.from, to: req.to };
    if (field === 'both' || field === 'body') body.body = req.text;
    if (field === 'both' || field === 'content') body.content = req.text;
    body.delivery_report = setting('gateway.deliveryReport');
    if (req.sendAt) body.send_at = req.sendAt;
    if (setting('gateway.clientReference') && req.clientRef) body.reference_id = req.clientRef;
    return JSON.stringify(body);
  }

  async function send(req: SendRequest): Promise<SendOutcome> {
    const dest = target(setting('gateway.sendPath'));
    // httpStatus 0 below means "decided here, nothing was sent".
    if (!dest.ok) return { kind: 'failed', reason: dest.reason, httpStatus: 0, campaignWide: true };
    const tok = await getToken();
    if (!tok.ok) return { kind: 'auth', reason: tok.reason, httpStatus: 0 };
    const started = now();
    const res = await exchange(dest.url, tok.token, 'POST', sendBody(req), SEND_BODY_CAP);
    const out = classifySend(res, { host: dest.url.host, clientRef: req.clientRef, now: now(), token: tok.token });
    const took = now() - started;
    const detail =
      out.kind === 'accepted' ? `ref=${out.gatewayRef} processed=${out.processed ?? '?'}/${req.to.length}` : out.reason;
    log(
      redact(
        `gateway: send ${req.to.length} recipient(s) ref=${req.clientRef ?? '-'} -> ${out.kind} (${res.kind === 'answer' ? `HTTP ${res.status}` : res.code}, ${took} ms) ${detail}`,
        tok.token,
      ),
    );
    if (out.kind === 'accepted' && out.refusedRef) {
      log(
        `gateway: the reference_id in the answer to batch ${req.clientRef ?? '-'} contains the API token, so it is not stored; the batch is tracked by ${out.gatewayRef ? `its client reference ${out.gatewayRef}` : 'no reference (turn on gateway.clientReference)'}. Check the gateway: it echoes credentials.`,
      );
    }
    return out;
  }

  async function fetchReport<T>(
    path: string,
    classify: (r: HttpResult, ctx: { host: string; token: string; now: number }) => T,
  ): Promise<T | { kind: 'error'; reason: string; retryable: boolean; auth?: boolean }> {
    const dest = target(path);
    if (!dest.ok) return { kind: 'error', reason: dest.reason, retryable: false };
    const tok = await getToken();
    if (!tok.ok) return { kind: 'error', reason: tok.reason, retryable: false, auth: true };
    const res = await exchange(dest.url, tok.token, 'GET', undefined, REPORT_BODY_CAP);
    const out = classify(res, { host: dest.url.host, token: tok.token, now: now() });
    const kind = (out as { kind: string }).kind;
    if (kind === 'error')
      log(redact(`gateway: report ${dest.url.pathname} -> ${(out as { reason: string }).reason}`, tok.token));
    if ((out as { refusedBatchId?: true }).refusedBatchId) {
      log(
        redact(
          `gateway: the batch_id in the report at ${dest.url.pathname} contains the API token, so it is not stored; the reference asked for stands in. Check the gateway: it echoes credentials.`,
          tok.token,
        ),
      );
    }
    return out;
  }

  function fetchBatchReport(ref: string): Promise<BatchReport> {
    const path = fillTemplate(setting('gateway.dlrBatchPath'), { reference_id: ref });
    return fetchReport(path, (r, ctx) => classifyBatchReport(r, ctx, ref));
  }

  function fetchRecipientReport(ref: string, msisdn: string): Promise<RecipientReport> {
    const path = fillTemplate(setting('gateway.dlrRecipientPath'), { reference_id: ref, msisdn });
    return fetchReport(path, (r, ctx) => classifyRecipientReport(r, ctx, ref, msisdn));
  }

  async function checkToken(): Promise<{ ok: boolean; message: string }> {
    const ref = `smsdesk-token-check-${randomUUID()}`;
    const dest = target(fillTemplate(setting('gateway.dlrBatchPath'), { reference_id: ref }));
    if (!dest.ok) return { ok: false, message: dest.reason };
    const tok = await getToken();
    if (!tok.ok) return { ok: false, message: tok.reason };
    const res = await exchange(dest.url, tok.token, 'GET', undefined, SEND_BODY_CAP);
    // Any 2xx or a 404 for a reference that cannot exist means the token got past authentication.
    if (res.kind === 'answer' && ((res.status >= 200 && res.status < 300) || res.status === 404)) {
      return { ok: true, message: `The gateway at ${dest.url.host} accepted the token.` };
    }
    // Said in the user's words: the made-up reference of the check and the CLI are not theirs to read.
    if (res.kind === 'answer' && (res.status === 401 || res.status === 403)) {
      return {
        ok: false,
        message: `9bits refused this token (HTTP ${res.status}): check it in your 9bits account and paste it again.`,
      };
    }
    const out = classifyBatchReport(res, { host: dest.url.host, token: tok.token, now: now() }, ref);
    if (out.kind === 'error' && out.auth)
      return { ok: false, message: '9bits refused this token: check it in your 9bits account and paste it again.' };
    const why = out.kind === 'error' ? out.reason : 'unexpected answer.';
    return { ok: false, message: redact(`The token could not be checked. ${why}`, tok.token) };
  }

  return { send, fetchBatchReport, fetchRecipientReport, checkToken };
}
