import { redact } from '../redact.ts';

/**
 * Why the OS keychain could not be used, told apart by the messages that @napi-rs/keyring passes
 * on from D-Bus / the Secret Service / Node's module loader. The strings matched here were
 * provoked for real on Debian with @napi-rs/keyring 2.1.2 + gnome-keyring (see
 * tests/engine/secrets.test.ts).
 */
export type KeychainProblem =
  'no-dbus' | 'no-provider' | 'locked' | 'no-keyring' | 'no-answer' | 'native-module' | 'unknown';

export const ENV_HINT =
  'For automation you can set the SMSDESK_TOKEN environment variable instead of using the keychain.';

const NO_ANSWER_ADVICE =
  'It may be waiting behind an unlock dialog nobody has answered, or be hung: if a keyring password dialog is open, answer it; ' +
  'otherwise restart the keyring service (log out and in again, or restart gnome-keyring-daemon or KeePassXC), then try again.';

const ADVICE: Record<KeychainProblem, string> = {
  'no-dbus':
    'The system keychain cannot be reached because there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset, or nothing answers at that address). ' +
    'Start SMS Desk from a desktop session, or run it inside one, e.g. `dbus-run-session -- smsdesk ...` with a Secret Service started in that session.',
  'no-provider':
    'The system keychain cannot be reached because no Secret Service is running on the D-Bus session (nothing provides org.freedesktop.secrets). ' +
    'Install and start gnome-keyring (Debian/Ubuntu: `apt install gnome-keyring`), or enable the Secret Service integration of KeePassXC, then try again.',
  locked:
    'The system keychain is locked, and SMS Desk could not unlock it (the unlock prompt was dismissed or could not be shown). ' +
    'Unlock your login keyring (for example in "Passwords and Keys" / Seahorse, or by logging in to the desktop again) and try again.',
  'no-keyring':
    'The system keychain has no "login" keyring, and SMS Desk could not ask you to create one (the password prompt could not be shown). ' +
    'Create or unlock a keyring named "login" (for example in "Passwords and Keys" / Seahorse), or on a headless machine run `gnome-keyring-daemon --unlock` with a password on its standard input, and try again.',
  'no-answer': 'The system keychain did not answer: D-Bus gave up waiting for the Secret Service. ' + NO_ANSWER_ADVICE,
  'native-module':
    "The system keychain cannot be used because SMS Desk's keychain module (@napi-rs/keyring) failed to load. " +
    'Reinstall SMS Desk; when running from source, run `npm install` in the SMS Desk folder.',
  unknown:
    'The system keychain refused the request. ' +
    'Check that your keychain (macOS Keychain, Windows Credential Manager, or on Linux a Secret Service such as gnome-keyring or KeePassXC) is running and unlocked, then try again.',
};

function rawMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return String(err);
}

function rawCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

export function classifyKeychainError(err: unknown): KeychainProblem {
  if (err instanceof KeychainUnavailableError) return err.reason;
  const msg = rawMessage(err);
  const code = rawCode(err);
  if (
    code === 'ERR_DLOPEN_FAILED' ||
    ((code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && /@napi-rs\/keyring/i.test(msg)) ||
    /Cannot find native binding|invalid ELF header|keyring\.[a-z0-9-]+\.node/i.test(msg)
  )
    return 'native-module';
  // D-Bus's reply timeout (the library waits about 2 s): something owns the name but is hung.
  if (/Did not receive a reply|NoReply|Timeout was reached/i.test(msg)) return 'no-answer';
  if (/unlock prompt was dismissed|prompt (was )?dismissed|locked collection|IsLocked|is locked/i.test(msg))
    return 'locked';
  // Storing needs the default collection; without a "login" keyring the lookup finds none.
  if (/Secret Service: no result found|Object does not exist at path .*\/collection\/(login|default)/i.test(msg))
    return 'no-keyring';
  if (/not provided by any \.service files|ServiceUnknown|org\.freedesktop\.secrets/i.test(msg)) return 'no-provider';
  if (
    /autolaunch|DBUS_SESSION_BUS_ADDRESS|Failed to connect to socket|Could not connect|Connection refused|Address does not contain a colon|Unknown address type|no such bus|session bus/i.test(
      msg,
    )
  )
    return 'no-dbus';
  return 'unknown';
}

/**
 * The first line of an error, token redacted (before clipping: a cut token no longer matches).
 * For a failed native load, the loader's reason for the native binary instead of npm's advice
 * (which says to delete package-lock.json): its causes chain the attempts, latest outermost, and
 * the WebAssembly fallback we do not ship is skipped.
 */
function detailOf(err: unknown, token?: string): string {
  const firstLine = (e: unknown) => redact(rawMessage(e), token).split('\n')[0]!.trim();
  if (!/^Cannot find native binding/.test(firstLine(err))) return firstLine(err);
  for (
    let c = (err as { cause?: unknown }).cause, depth = 0;
    c && depth < 20;
    c = (c as { cause?: unknown }).cause, depth++
  ) {
    if (!/wasi/i.test(firstLine(c))) return `Cannot find native binding: ${firstLine(c)}`;
  }
  return firstLine(err);
}

/**
 * The message for a known reason, with the original error's first line as detail (token
 * redacted). `limitMs`: the request was cut off by our own time limit, which the message names.
 */
export function keychainMessage(reason: KeychainProblem, err: unknown, token?: string, limitMs?: number): string {
  const detail = detailOf(err, token);
  const advice =
    reason === 'no-answer' && limitMs !== undefined
      ? `The system keychain did not answer within ${Math.round(limitMs / 100) / 10} s. ${NO_ANSWER_ADVICE}`
      : ADVICE[reason];
  return `${advice} ${ENV_HINT}${detail ? ` (Details: ${detail})` : ''}`;
}

/** One message saying why the keychain is unusable and what to do; never contains `token`. */
export function describeKeychainError(err: unknown, token?: string): string {
  if (err instanceof KeychainUnavailableError) return err.message;
  return keychainMessage(classifyKeychainError(err), err, token);
}

export class KeychainUnavailableError extends Error {
  readonly code = 'KEYCHAIN_UNAVAILABLE';
  override name = 'KeychainUnavailableError';
  /**
   * The original error is deliberately not kept as `cause`: its text is already summarised in
   * the message (with the token redacted), and a cause chain is what loggers print in full.
   */
  constructor(
    readonly reason: KeychainProblem,
    message: string,
  ) {
    super(message);
  }

  static from(err: unknown, token?: string): KeychainUnavailableError {
    if (err instanceof KeychainUnavailableError) return err;
    return new KeychainUnavailableError(classifyKeychainError(err), describeKeychainError(err, token));
  }
}
