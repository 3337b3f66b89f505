import type { DB } from './open.ts';
import { isLoopbackUrl, LOOPBACK_HOSTS_TEXT } from '../../../shared/loopback.ts';
import {
  defaultSetting,
  isSettingKey,
  parseSettingValue,
  settingsSchema,
  type SettingKey,
  type Settings,
} from '../../../shared/settings.ts';

export class SettingError extends Error {
  readonly code = 'BAD_SETTING';
}

/** Settings live in the ledger; unknown or invalid stored values fall back to the default. */
export function createSettingsStore(db: DB) {
  // defaults are made per setting when first read (shared/settings.ts: zod makes each schema then)
  const keys = Object.keys(settingsSchema) as SettingKey[];
  const getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const setStmt = db.prepare(
    'INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  const cache = new Map<SettingKey, unknown>();

  function get<K extends SettingKey>(key: K): Settings[K] {
    if (cache.has(key)) return cache.get(key) as Settings[K];
    const row = getStmt.get(key);
    let value: Settings[K];
    try {
      value = row ? parseSettingValue(key, JSON.parse(row.value)) : defaultSetting(key);
    } catch {
      value = defaultSetting(key);
    }
    cache.set(key, value);
    return value;
  }

  function set<K extends SettingKey>(key: string, raw: unknown): Settings[K] {
    if (!isSettingKey(key))
      throw new SettingError(`There is no setting called ${JSON.stringify(key)}. Known settings: ${keys.join(', ')}.`);
    let value: Settings[K];
    try {
      value = parseSettingValue(key as K, raw);
    } catch (e) {
      throw new SettingError((e as Error).message);
    }
    if (key === 'gateway.baseUrl') checkBaseUrl(value as string);
    setStmt.run(key, JSON.stringify(value));
    cache.set(key as K, value);
    return value;
  }

  function all(): Settings {
    const out = {} as Record<string, unknown>;
    for (const k of keys) out[k] = get(k);
    return out as Settings;
  }

  return { get, set, all };
}
export type SettingsStore = ReturnType<typeof createSettingsStore>;

/** HTTPS only, except loopback (the sandbox and tests). */
export function checkBaseUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SettingError(
      `The gateway address ${JSON.stringify(url)} is not a URL. Use something like https://app.9bits.net:2096.`,
    );
  }
  if (u.username || u.password)
    throw new SettingError(
      'The gateway address must not contain a user name or password; the token is stored in the keychain.',
    );
  if (u.protocol === 'https:') return;
  if (u.protocol === 'http:' && isLoopbackUrl(u)) return;
  throw new SettingError(
    `The gateway address must start with https:// (plain http is allowed only for this computer: ${LOOPBACK_HOSTS_TEXT}): ${url}`,
  );
}
