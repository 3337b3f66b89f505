import type http from 'node:http';
import type https from 'node:https';
import type { Socket } from 'node:net';

/**
 * One HTTP exchange on node:http(s), built to answer the question the send queue cares about
 * most: could the gateway have seen this request? `before-send` errors happened before a
 * connection (and, for https, a completed TLS handshake) existed, so not a byte of the request
 * reached the server; `after-send` errors happened once it could have.
 *
 * Every request uses a fresh connection. A pooled keep-alive socket that the server closed while
 * idle fails with ECONNRESET only after we wrote to it, which would turn a harmless stale socket
 * into an "outcome unknown" batch. At a few requests per second the extra handshake is cheap next
 * to that. What the new connection does keep is the TLS session (`tlsSessions`): it resumes the
 * last one, which skips the certificate exchange (and, with TLS 1.2, a round trip) and changes
 * nothing about when a request can have reached the server. A server that no longer knows the
 * session simply makes a full handshake.
 */
export type HttpResult =
  | {
      kind: 'answer';
      status: number;
      statusText: string;
      headers: http.IncomingHttpHeaders;
      body: string;
      /** the body was cut short (over the size cap, or the connection broke mid-answer) */
      incomplete: boolean;
    }
  | { kind: 'network'; phase: 'before-send' | 'after-send'; code: string; message: string };

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connectTimeoutMs: number;
  answerTimeoutMs: number;
  maxBodyBytes: number;
}

export const CONNECT_TIMEOUT = 'ECONNECTTIMEOUT';
export const ANSWER_TIMEOUT = 'EANSWERTIMEOUT';

/**
 * Fresh connections (no keep-alive: `Connection: close`, the socket ends with its answer), with
 * the TLS sessions of the last ones kept for the next. Made on the first https request.
 */
let tlsSessions: https.Agent | undefined;

export function httpRequest(r: HttpRequest): Promise<HttpResult> {
  return new Promise((resolve) => {
    let settled = false;
    let reached = false;
    let connectTimer: NodeJS.Timeout | undefined;
    let answerTimer: NodeJS.Timeout | undefined;
    let req: http.ClientRequest | undefined;

    const finish = (res: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(answerTimer);
      resolve(res);
      // Destroying after resolving: the error this may raise is already decided and ignored.
      if (req && !req.destroyed) req.destroy();
    };
    const networkError = (code: string, message: string) =>
      finish({ kind: 'network', phase: reached ? 'after-send' : 'before-send', code, message });

    const markReached = () => {
      if (reached || settled) return;
      reached = true;
      clearTimeout(connectTimer);
      answerTimer = setTimeout(
        () => networkError(ANSWER_TIMEOUT, `no answer within ${r.answerTimeoutMs} ms after the request was sent`),
        r.answerTimeoutMs,
      );
    };

    const body = r.body ?? '';
    const headers: Record<string, string | number> = { ...r.headers };
    if (r.method === 'POST') headers['Content-Length'] = Buffer.byteLength(body);
    const tls = r.url.protocol === 'https:';
    try {
      // Certificates are always verified: there is deliberately no option to turn that off.
      // loaded on the first request: node:https brings TLS (~15 ms), which a command that only reads never needs
      if (tls) {
        const https = process.getBuiltinModule('node:https');
        tlsSessions ??= new https.Agent({ keepAlive: false, maxCachedSessions: 16 });
        req = https.request(r.url, { method: r.method, headers, agent: tlsSessions });
      } else {
        req = process.getBuiltinModule('node:http').request(r.url, { method: r.method, headers, agent: false });
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      finish({ kind: 'network', phase: 'before-send', code: err.code ?? 'EREQUEST', message: err.message });
      return;
    }

    connectTimer = setTimeout(
      () => networkError(CONNECT_TIMEOUT, `no connection within ${r.connectTimeoutMs} ms`),
      r.connectTimeoutMs,
    );

    req.on('socket', (socket: Socket) => {
      // For https the request bytes leave only after the handshake, so a certificate or
      // handshake failure is still "never sent".
      if (tls) socket.once('secureConnect', markReached);
      else if (socket.connecting) socket.once('connect', markReached);
      else markReached();
    });

    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = (incomplete: boolean) =>
        finish({
          kind: 'answer',
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          incomplete,
        });
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > r.maxBodyBytes) {
          chunks.push(chunk.subarray(0, r.maxBodyBytes - size));
          answer(true);
          return;
        }
        size += chunk.length;
        chunks.push(chunk);
      });
      res.on('end', () => answer(!res.complete));
      res.on('aborted', () => answer(true));
      res.on('error', () => answer(true));
      res.on('close', () => answer(!res.complete));
    });

    req.on('error', (err: NodeJS.ErrnoException) => networkError(err.code ?? 'ERR', err.message));
    req.end(r.method === 'POST' ? body : undefined);
  });
}
