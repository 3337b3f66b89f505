/**
 * The one rule for plain http: the token travels in a header, so it may go unencrypted only to
 * this computer itself (the sandbox, a local test server). Only what needs no name lookup
 * counts: literal 127.0.0.0/8, [::1], and "localhost" itself. Any other name, *.localhost
 * included, goes through a resolver (a DNS server, a hosts file) that someone else may
 * answer for, and would then receive the token in clear.
 */
const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `hostname` as the WHATWG URL parser gives it (lower case, IPv4 in dotted form, IPv6 in brackets). */
export function isLoopbackHostname(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  const m = IPV4_LOOPBACK.exec(hostname);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/** Whether plain http to this address stays on this computer. A string that is not a URL is not. */
export function isLoopbackUrl(url: URL | string): boolean {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  return isLoopbackHostname(u.hostname);
}

/** The hosts the rule allows, as the sentences shown to the user name them. */
export const LOOPBACK_HOSTS_TEXT = 'localhost, 127.0.0.1 or [::1]';
