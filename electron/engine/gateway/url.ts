/** Where requests go; plain http only to this computer (shared/loopback.ts has the rule). */
import { isLoopbackUrl, LOOPBACK_HOSTS_TEXT } from '../../../shared/loopback.ts';

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Joins base and path (path may carry a query) and refuses anything but https or loopback http. */
export function gatewayUrl(base: string, path: string): UrlCheck {
  const trimmed = String(base ?? '')
    .trim()
    .replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed + (path.startsWith('/') ? path : `/${path}`));
  } catch {
    return {
      ok: false,
      reason: `The gateway address "${trimmed}" is not a valid URL. Set gateway.baseUrl to something like https://app.9bits.net:2096.`,
    };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      reason:
        'The gateway address must not contain a user name or password. Remove them from gateway.baseUrl; the token is sent separately.',
    };
  }
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:') {
    if (isLoopbackUrl(url)) return { ok: true, url };
    return {
      ok: false,
      reason: `The gateway address ${url.origin} is plain http, which would send the token unencrypted. Use an https:// address (plain http is only allowed for this computer: ${LOOPBACK_HOSTS_TEXT}).`,
    };
  }
  return {
    ok: false,
    reason: `The gateway address must start with https:// (found ${url.protocol}//). Fix gateway.baseUrl.`,
  };
}

/** Fills {reference_id} and {msisdn} in a path template, URL-encoding each value. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? encodeURIComponent(values[name]) : whole,
  );
}
