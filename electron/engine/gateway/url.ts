/**
 * Where requests go, and the one rule about plain http: the token travels in a header, so it
 * is only ever sent unencrypted to this computer itself (the sandbox, a local test server).
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return false;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Joins base and path (path may carry a query) and refuses anything but https or loopback http. */
export function gatewayUrl(base: string, path: string): UrlCheck {
  const trimmed = String(base ?? '').trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed + (path.startsWith('/') ? path : `/${path}`));
  } catch {
    return { ok: false, reason: `The gateway address "${trimmed}" is not a valid URL. Set gateway.baseUrl to something like https://app.9bits.net:2096.` };
  }
  if (url.username || url.password) {
    return { ok: false, reason: 'The gateway address must not contain a user name or password. Remove them from gateway.baseUrl; the token is sent separately.' };
  }
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return { ok: true, url };
    return { ok: false, reason: `The gateway address ${url.origin} is plain http, which would send the token unencrypted. Use an https:// address (plain http is only allowed for this computer: localhost, 127.0.0.1, ::1).` };
  }
  return { ok: false, reason: `The gateway address must start with https:// (found ${url.protocol}//). Fix gateway.baseUrl.` };
}

/** Fills {reference_id} and {msisdn} in a path template, URL-encoding each value. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? encodeURIComponent(values[name]) : whole);
}
