/**
 * Sender IDs as the 9bits portal registers them: 1-11 letters, digits and inner spaces,
 * or a numeric sender of up to 15 digits. Operators only carry plain ASCII here.
 */
export type SenderCheck = { ok: true } | { ok: false; message: string };

const ALNUM_MAX = 11;
const NUMERIC_MAX = 15;

export function checkSenderId(s: string): SenderCheck {
  if (s.trim() === '') {
    return {
      ok: false,
      message:
        'The sender ID is empty: enter the name or number registered on your 9bits portal (up to 11 letters or digits).',
    };
  }
  if (/^\s|\s$/.test(s)) {
    return { ok: false, message: `The sender ID "${s}" starts or ends with a space: remove it.` };
  }
  const bad = [...s].find((ch) => !/[A-Za-z0-9 ]/.test(ch));
  if (bad !== undefined) {
    const shown = bad === '\t' ? 'a tab' : bad === '\n' || bad === '\r' ? 'a line break' : `"${bad}"`;
    return {
      ok: false,
      message: `The sender ID cannot contain ${shown}: use only letters A-Z, digits 0-9 and spaces.`,
    };
  }
  if (/^[0-9]+$/.test(s)) {
    if (s.length <= NUMERIC_MAX) return { ok: true };
    return {
      ok: false,
      message: `The numeric sender ID has ${s.length} digits; a numeric sender ID may have at most ${NUMERIC_MAX}.`,
    };
  }
  if (s.length <= ALNUM_MAX) return { ok: true };
  return {
    ok: false,
    message: `The sender ID "${s}" has ${s.length} characters; a sender ID with letters may have at most ${ALNUM_MAX}, spaces included. Shorten it to the name registered on your 9bits portal.`,
  };
}
