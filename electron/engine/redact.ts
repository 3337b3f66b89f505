/**
 * The one token redaction of SMS Desk. Everything that may carry the API token on its way to
 * the database, the log, an export, an error message or the renderer goes through here: answers
 * of the gateway (a hostile or buggy one echoes the Authorization header), keychain errors, the
 * worker's error wire, the renderer's error shape.
 *
 * Besides the token as is, the forms a server would echo it in are cut out: URL-encoded (any
 * subset of its characters as %XX, either case, also double-encoded %25XX), JSON-escaped
 * (\uXXXX, \" \\ \/), and base64 / base64url, at each of the three byte alignments it can have
 * inside a longer encoded string (an echoed "Bearer <token>" header encodes it shifted).
 *
 * Redact before clipping: a token cut in half by a length limit no longer matches.
 */

/** Non-ASCII and no letters: a redacted status word ("Failed •••") still reads as its word. */
export const REDACTED = '\u2022\u2022\u2022';

export type Secrets = string | null | undefined | ReadonlyArray<string | null | undefined>;

// Encoded fragments shorter than this would match ordinary text by chance.
const MIN_ENCODED = 8;
const patterns = new Map<string, RegExp>();

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A hex digit in either case, as a regex piece. */
function hexRe(d: string): string {
  return /[a-f]/i.test(d) ? `[${d.toLowerCase()}${d.toUpperCase()}]` : d;
}

/** One character of the secret, plain, percent-encoded (once or twice) or JSON-escaped. */
function charRe(c: string): string {
  const alts = [escapeRe(c)];
  const code = c.charCodeAt(0);
  if (code < 0x80) {
    const hex = code.toString(16).padStart(2, '0');
    const h = `${hexRe(hex[0]!)}${hexRe(hex[1]!)}`;
    alts.push(`%(?:25)?${h}`, `\\\\u00${h}`);
    if (c === '"' || c === '\\' || c === '/') alts.push(`\\\\${escapeRe(c)}`);
  }
  return alts.length === 1 ? alts[0]! : `(?:${alts.join('|')})`;
}

/**
 * The base64 characters that depend only on the secret's bytes when it starts `shift` bytes into
 * a 3-byte group: the same characters appear in the encoding of any text that contains it there.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out = new Set<string>();
  for (let shift = 0; shift < 3; shift++) {
    const enc = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const first = Math.ceil((8 * shift) / 6);
    const last = Math.floor((8 * (shift + bytes.length)) / 6); // exclusive
    const inner = enc.slice(first, last);
    if (inner.length >= MIN_ENCODED) {
      out.add(inner);
      out.add(inner.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...out];
}

function patternFor(secret: string): RegExp {
  let re = patterns.get(secret);
  if (!re) {
    const alts = [[...secret].map(charRe).join(''), ...base64Fragments(secret).map(escapeRe)];
    re = new RegExp(alts.join('|'), 'g');
    if (patterns.size > 8) patterns.clear();
    patterns.set(secret, re);
  }
  return re;
}

function list(secrets: Secrets): string[] {
  const all = typeof secrets === 'string' ? [secrets] : (secrets ?? []);
  return all.filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** The text with every form of every secret replaced by REDACTED. Redacting twice changes nothing. */
export function redact(text: string, secrets: Secrets): string {
  let out = text;
  for (const s of list(secrets)) out = out.replace(patternFor(s), REDACTED);
  return out;
}

/** Does the text carry a secret in any form redact() removes (or a mark where one was removed)? */
export function carriesSecret(text: string, secrets: Secrets): boolean {
  if (text.includes(REDACTED)) return true;
  return list(secrets).some((s) => text.search(patternFor(s)) >= 0);
}
