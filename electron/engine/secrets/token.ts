/** Longest token we accept: 9bits tokens are far shorter; this only stops a pasted document. */
export const MAX_TOKEN_LENGTH = 4096;

export class InvalidTokenError extends Error {
  readonly code = 'INVALID_TOKEN';
  override name = 'InvalidTokenError';
}

/**
 * Returns the token trimmed, or throws InvalidTokenError with one sentence that says what is wrong.
 * The messages never quote the token (nor any character of it): they end up in logs and dialogs.
 * The token travels in an HTTP header, so only visible ASCII can be sent as is.
 */
export function validateToken(input: unknown, label = 'The API token'): string {
  if (typeof input !== 'string') {
    throw new InvalidTokenError(`${label} must be text: paste the token from your 9bits account.`);
  }
  const token = input.trim();
  if (token.length === 0) {
    throw new InvalidTokenError(`${label} is empty: paste the token from your 9bits account.`);
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new InvalidTokenError(
      `${label} is ${token.length} characters long, more than the ${MAX_TOKEN_LENGTH} allowed: check that you copied only the token.`,
    );
  }
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const where = `at character ${i + 1} of ${token.length}`;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0 || /\s/.test(token[i]!)) {
      throw new InvalidTokenError(
        `${label} contains a space or line break ${where}: copy it again as one unbroken piece.`,
      );
    }
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) {
      throw new InvalidTokenError(
        `${label} contains an invisible control character ${where}: copy it again from your 9bits account.`,
      );
    }
    if (c > 0x7e) {
      throw new InvalidTokenError(
        `${label} contains a character that is not plain ASCII ${where} (for example a curly quote or an accented letter): copy it again from your 9bits account.`,
      );
    }
  }
  return token;
}
