import { redact } from '../redact.ts';

/**
 * Why the OS keychain could not be used, told apart by the messages that keytar passes on from
 * libsecret / D-Bus / Node's module loader. The strings matched here were provoked for real on
 * Debian with keytar 7.9.0 + gnome-keyring (see tests/engine/secrets.test.ts).
 */
export type KeychainProblem =
  | 'no-dbus'
  | 'no-provider'
  | 'locked'
  | 'no-keyring'
  | 'native-module'
  | 'unknown';

export const ENV_HINT = 'For automation you can set the SMSDESK_TOKEN environment variable instead of using the keychain.';

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
  'native-module':
    'The system keychain cannot be used because the keytar native module failed to load. ' +
    'Reinstall SMS Desk; when running from source, run `npm rebuild keytar` (or `npm install`), and on Linux make sure libsecret is installed (Debian/Ubuntu: `apt install libsecret-1-0`).',
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
    (code === 'MODULE_NOT_FOUND' && /keytar/i.test(msg)) ||
    (code === 'ERR_MODULE_NOT_FOUND' && /keytar/i.test(msg)) ||
    /NODE_MODULE_VERSION|compiled against a different Node\.js|invalid ELF header|keytar\.node|libsecret-1\.so/i.test(msg)
  ) return 'native-module';
  if (/locked collection|prompt (was )?dismissed|IsLocked|is locked/i.test(msg)) return 'locked';
  if (/Object does not exist at path .*\/collection\/(login|default)/i.test(msg)) return 'no-keyring';
  if (/not provided by any \.service files|ServiceUnknown|org\.freedesktop\.secrets/i.test(msg)) return 'no-provider';
  if (
    /Cannot autolaunch D-Bus|dbus-launch|autolaunch|DBUS_SESSION_BUS_ADDRESS|Could not connect|Failed to connect to socket|Connection refused|no such bus|session bus/i.test(msg)
  ) return 'no-dbus';
  return 'unknown';
}

/** The message for a known reason, with the original error's first line as detail (token redacted). */
export function keychainMessage(reason: KeychainProblem, err: unknown, token?: string): string {
  const detail = redact(rawMessage(err), token).split('\n')[0]!.trim();
  return `${ADVICE[reason]} ${ENV_HINT}${detail ? ` (Details: ${detail})` : ''}`;
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
