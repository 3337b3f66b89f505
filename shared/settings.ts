// a namespace import lets esbuild and Vite leave out the parts of zod never used (a fifth of it stays)
import * as z from 'zod';

/** The most requests `rate.maxInFlight` lets out at once (the dashboard's advice stops there too). */
export const MAX_IN_FLIGHT = 64;

/**
 * Every setting the product has, with its default. Values the 9bits contract only *assumes*
 * (docs/gateway-9bits.md) live here, never as constants buried in code. A setting's zod schema is
 * made when it is first read: zod takes ~8 ms to make all of them (and ~3 ms to load), which every
 * start of the command paid, and a setting never stored needs only its default.
 */
const SETTINGS = {
  'gateway.baseUrl': setting('https://app.9bits.net:2096', () => z.string().url()),
  'gateway.sendPath': setting('/ng/v1/sendsms', () => z.string()),
  'gateway.dlrBatchPath': setting('/ng/v1/batches/{reference_id}/delivery_report?type=full', () => z.string()),
  'gateway.dlrRecipientPath': setting('/ng/v1/batches/{reference_id}/delivery_report/{msisdn}', () => z.string()),
  'gateway.messageField': setting('both', () => z.enum(['both', 'body', 'content'])),
  'gateway.clientReference': setting(true, () => z.boolean()),
  'gateway.deliveryReport': setting('none', () => z.enum(['none', 'yes'])),
  'gateway.connectTimeoutMs': setting(10_000, () => z.number().int().min(100).max(600_000)),
  'gateway.answerTimeoutMs': setting(60_000, () => z.number().int().min(100).max(3_600_000)),
  'rate.requestsPerSecond': setting(5, () => z.number().min(0.01).max(10_000)),
  'rate.recipientsPerRequest': setting(100, () => z.number().int().min(1).max(10_000)),
  /** 0 = no limit on message parts per second. */
  'rate.partsPerSecond': setting(0, () => z.number().min(0).max(1_000_000)),
  'rate.maxInFlight': setting(1, () => z.number().int().min(1).max(MAX_IN_FLIGHT)),
  'retry.initialMs': setting(1_000, () => z.number().int().min(10).max(600_000)),
  'retry.maxMs': setting(60_000, () => z.number().int().min(10).max(3_600_000)),
  'dlr.initialIntervalMs': setting(15_000, () => z.number().int().min(10).max(86_400_000)),
  'dlr.maxIntervalMs': setting(30 * 60_000, () => z.number().int().min(10).max(86_400_000)),
  'dlr.giveUpAfterMs': setting(72 * 3_600_000, () =>
    z
      .number()
      .int()
      .min(1_000)
      .max(30 * 86_400_000),
  ),
  'price.perPart': setting(4, () => z.number().min(0).max(1_000_000)),
  'price.currency': setting('NGN', () => z.string().min(3).max(3)),
  /** price per part by destination country (ISO code); a country not here is priced at price.perPart, shown as a guess */
  'price.perCountry': setting({}, () =>
    z.record(
      z.string().regex(/^[A-Z]{2}$/, 'a country is two capital letters, e.g. GB'),
      z.number().min(0).max(1_000_000),
    ),
  ),
  'phone.defaultCountry': setting('NG', () => z.string().regex(/^[A-Z]{2}$/)),
  'sender.last': setting('', () => z.string().max(15)),
  'sender.recent': setting([], () => z.array(z.string().max(15)).max(20)),
  'test.ownNumber': setting('', () => z.string().max(20)),
  /** what Compose opens with after a reload: the last list and template chosen (0 = none) */
  'compose.lastList': setting(0, () => z.number().int().min(0)),
  'compose.lastTemplate': setting(0, () => z.number().int().min(0)),
  /** automatic backups of the ledger kept in <data folder>/backups (the oldest beyond this are deleted) */
  'backup.keep': setting(7, () => z.number().int().min(1).max(365)),
  /** 0 = off. Re-send a batch with an unknown outcome once this many lookups found no record of it (needs gateway.clientReference). */
  'uncertain.autoResendAfterChecks': setting(0, () => z.number().int().min(0).max(100)),
};

/** A setting's default, and how to make the schema of the values it takes (with the default in it). */
function setting<S extends z.ZodType>(fallback: z.output<S>, schema: () => S) {
  return { fallback, schema: () => schema().default(fresh(fallback) as never) as z.ZodDefault<S> };
}

/** A copy of an object or list (a caller that changes the one it got changes nothing else), a value as it is. */
function fresh<T>(v: T): T {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

/** Each setting's schema (`.default()` included), made on its first read and kept. */
export const settingsSchema = {} as { [K in keyof typeof SETTINGS]: ReturnType<(typeof SETTINGS)[K]['schema']> };
for (const key of Object.keys(SETTINGS) as (keyof typeof SETTINGS)[])
  Object.defineProperty(settingsSchema, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = SETTINGS[key].schema();
      Object.defineProperty(settingsSchema, key, { value, enumerable: true });
      return value;
    },
  });

export type SettingKey = keyof typeof settingsSchema;
export type Settings = { [K in SettingKey]: z.output<(typeof settingsSchema)[K]> };

/** What each setting is, in words, for the sentences that refuse a value. */
export const settingLabels: Record<SettingKey, string> = {
  'gateway.baseUrl': 'the gateway address',
  'gateway.sendPath': "the gateway's send path",
  'gateway.dlrBatchPath': "the gateway's delivery-report path for a batch",
  'gateway.dlrRecipientPath': "the gateway's delivery-report path for one recipient",
  'gateway.messageField': 'the field the message text is sent in',
  'gateway.clientReference': 'whether our own reference is sent with each batch',
  'gateway.deliveryReport': 'whether the gateway is asked for delivery reports',
  'gateway.connectTimeoutMs': 'the time allowed to connect to the gateway, in milliseconds',
  'gateway.answerTimeoutMs': 'the time allowed for the gateway to answer, in milliseconds',
  'rate.requestsPerSecond': 'the number of requests sent to the gateway per second',
  'rate.recipientsPerRequest': 'the number of recipients in one request',
  'rate.partsPerSecond': 'the number of message parts sent per second (0 for no limit)',
  'rate.maxInFlight': 'the number of requests waiting for an answer at once',
  'retry.initialMs': 'the first wait before a retry, in milliseconds',
  'retry.maxMs': 'the longest wait between retries, in milliseconds',
  'dlr.initialIntervalMs': 'the first wait between delivery-report checks, in milliseconds',
  'dlr.maxIntervalMs': 'the longest wait between delivery-report checks, in milliseconds',
  'dlr.giveUpAfterMs': 'how long to wait for a final delivery report, in milliseconds',
  'price.perPart': 'the price of one SMS part',
  'price.currency': 'the currency (three letters, e.g. NGN)',
  'price.perCountry':
    'the price per part for each foreign country, keyed by its two-letter code in capitals (e.g. {"GB": 30})',
  'phone.defaultCountry': 'the default country (two capital letters, e.g. NG)',
  'sender.last': 'the last sender ID used',
  'sender.recent': 'the list of recent sender IDs',
  'test.ownNumber': 'your own number for test messages',
  'compose.lastList': 'the list Compose opens with',
  'compose.lastTemplate': 'the template Compose opens with',
  'backup.keep': 'the number of automatic backups kept',
  'uncertain.autoResendAfterChecks':
    'the number of checks without a record before a batch with an unknown outcome is re-sent by itself (0 for never)',
};

// Only plain decimals: Number() would also take "0x10", "1e-300", "Infinity" and " ", which no
// one types on purpose and which would turn a typo into a rate nobody meant.
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

interface NumberRule {
  min: number;
  max: number;
  whole: boolean;
}

function numberRule(key: SettingKey): NumberRule | null {
  const inner = (settingsSchema[key] as unknown as { unwrap(): unknown }).unwrap();
  if (!(inner instanceof z.ZodNumber)) return null;
  return { min: inner.minValue ?? -Number.MAX_VALUE, max: inner.maxValue ?? Number.MAX_VALUE, whole: inner.isInt };
}

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(settingsSchema, key);
}

export function defaultSettings(): Settings {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(settingsSchema) as SettingKey[]) out[k] = defaultSetting(k);
  return out as Settings;
}

/** Without zod (a setting never stored needs no schema). */
export function defaultSetting<K extends SettingKey>(key: K): Settings[K] {
  return fresh(SETTINGS[key].fallback) as Settings[K];
}

/** Parse a value typed on a command line or in a form into the setting's type, or throw a readable error. */
export function parseSettingValue<K extends SettingKey>(key: K, raw: unknown): Settings[K] {
  const schema = settingsSchema[key];
  const rule = numberRule(key);
  if (rule) return parseNumber(key, raw, rule) as Settings[K];
  let value = raw;
  if (typeof raw === 'string') {
    const def = schema.parse(undefined);
    if (typeof def === 'boolean')
      value =
        raw === 'true' || raw === '1' || raw === 'on'
          ? true
          : raw === 'false' || raw === '0' || raw === 'off'
            ? false
            : raw;
    else if (typeof def === 'object' && def !== null) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
  }
  const res = schema.safeParse(value);
  if (!res.success) {
    const msg = res.error.issues.map((i) => i.message).join('; ');
    throw new Error(`Setting ${key} cannot be ${JSON.stringify(raw)}: ${settingLabels[key]} is wrong (${msg}).`);
  }
  return res.data as Settings[K];
}

function parseNumber(key: SettingKey, raw: unknown, rule: NumberRule): number {
  const text = typeof raw === 'string' ? raw.trim() : null;
  const value = text !== null && PLAIN_DECIMAL.test(text) ? Number(text) : typeof raw === 'number' ? raw : NaN;
  const fits =
    Number.isFinite(value) && value >= rule.min && value <= rule.max && (!rule.whole || Number.isInteger(value));
  if (fits) return value;
  const kind = rule.whole ? 'a whole number' : 'a plain number';
  const range = rule.max >= Number.MAX_SAFE_INTEGER ? `of at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  const shown = JSON.stringify(typeof raw === 'number' ? String(raw) : raw) ?? String(raw);
  throw new Error(
    `Setting ${key} cannot be ${shown}: ${capitalize(settingLabels[key])} must be ${kind} ${range}, written with digits only (no exponent, hex or spaces).`,
  );
}

/**
 * A refusal as the Settings page shows it beside its field: the field has a label already, so the
 * internal key ("Setting price.perPart cannot be …:") goes; the sentence with the human label stays.
 */
export function settingErrorForForm(key: SettingKey, message: string): string {
  const prefix = `Setting ${key} cannot be `;
  if (!message.startsWith(prefix)) return message;
  const rest = message.slice(prefix.length);
  // the refused value was written with JSON.stringify: skip it whole (it may hold ": ")
  const m = /^("(?:[^"\\]|\\.)*"|[^:]*): /.exec(rest);
  if (!m) return message;
  // zod's own wording ("Too small: expected string to have >=3 characters") is for developers;
  // the schema's custom messages are written lower-case, for people, and are kept
  const why = rest
    .slice(m[0].length)
    .replace(/ is wrong \((.*)\)\.$/, (_, detail: string) =>
      /^[a-z]/.test(detail) ? ` is not valid: ${detail}.` : ' is not valid.',
    );
  return `${m[1]} is not allowed. ${capitalize(why)}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
