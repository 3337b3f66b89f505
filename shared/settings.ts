import { z } from 'zod';

/**
 * Every setting the product has, with its default. Values the 9bits contract only *assumes*
 * (../shared/gateway-9bits.md) live here, never as constants buried in code.
 */
export const settingsSchema = {
  'gateway.baseUrl': z.string().url().default('https://app.9bits.net:2096'),
  'gateway.sendPath': z.string().default('/ng/v1/sendsms'),
  'gateway.dlrBatchPath': z.string().default('/ng/v1/batches/{reference_id}/delivery_report?type=full'),
  'gateway.dlrRecipientPath': z.string().default('/ng/v1/batches/{reference_id}/delivery_report/{msisdn}'),
  'gateway.messageField': z.enum(['both', 'body', 'content']).default('both'),
  'gateway.clientReference': z.boolean().default(true),
  'gateway.deliveryReport': z.enum(['none', 'yes']).default('none'),
  'gateway.connectTimeoutMs': z.number().int().min(100).max(600_000).default(10_000),
  'gateway.answerTimeoutMs': z.number().int().min(100).max(3_600_000).default(60_000),
  'rate.requestsPerSecond': z.number().positive().max(10_000).default(5),
  'rate.recipientsPerRequest': z.number().int().min(1).max(10_000).default(100),
  /** 0 = no limit on message parts per second. */
  'rate.partsPerSecond': z.number().min(0).max(1_000_000).default(0),
  'rate.maxInFlight': z.number().int().min(1).max(64).default(1),
  'retry.initialMs': z.number().int().min(10).max(600_000).default(1_000),
  'retry.maxMs': z.number().int().min(10).max(3_600_000).default(60_000),
  'dlr.initialIntervalMs': z.number().int().min(10).max(86_400_000).default(15_000),
  'dlr.maxIntervalMs': z.number().int().min(10).max(86_400_000).default(30 * 60_000),
  'dlr.giveUpAfterMs': z.number().int().min(1_000).default(72 * 3_600_000),
  'price.perPart': z.number().min(0).max(1_000_000).default(4),
  'price.currency': z.string().min(3).max(3).default('NGN'),
  /** price per part by destination country (ISO code); a country not here is priced at price.perPart, shown as a guess */
  'price.perCountry': z.record(z.string().regex(/^[A-Z]{2}$/, 'a country is two capital letters, e.g. GB'), z.number().min(0).max(1_000_000)).default({}),
  'phone.defaultCountry': z.string().regex(/^[A-Z]{2}$/).default('NG'),
  'sender.last': z.string().max(15).default(''),
  'sender.recent': z.array(z.string().max(15)).max(20).default([]),
  'test.ownNumber': z.string().max(20).default(''),
  /** automatic backups of the ledger kept in <data folder>/backups (the oldest beyond this are deleted) */
  'backup.keep': z.number().int().min(1).max(365).default(7),
} as const;

export type SettingKey = keyof typeof settingsSchema;
export type Settings = { [K in SettingKey]: z.output<(typeof settingsSchema)[K]> };

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(settingsSchema, key);
}

export function defaultSettings(): Settings {
  const out: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(settingsSchema)) out[k] = schema.parse(undefined);
  return out as Settings;
}

/** Parse a value typed on a command line or in a form into the setting's type, or throw a readable error. */
export function parseSettingValue<K extends SettingKey>(key: K, raw: unknown): Settings[K] {
  const schema = settingsSchema[key];
  let value = raw;
  if (typeof raw === 'string') {
    const def = schema.parse(undefined);
    if (typeof def === 'number') value = raw.trim() === '' ? NaN : Number(raw);
    else if (typeof def === 'boolean') value = raw === 'true' || raw === '1' || raw === 'on' ? true : raw === 'false' || raw === '0' || raw === 'off' ? false : raw;
    else if (typeof def === 'object' && def !== null) { try { value = JSON.parse(raw); } catch { value = raw; } }
  }
  const res = schema.safeParse(value);
  if (!res.success) {
    const msg = res.error.issues.map((i) => i.message).join('; ');
    throw new Error(`Setting ${key} cannot be ${JSON.stringify(raw)}: ${msg}.`);
  }
  return res.data as Settings[K];
}
