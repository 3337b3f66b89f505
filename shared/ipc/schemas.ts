import { z } from 'zod';
import { settingsSchema } from '../settings.ts';
import { NETWORK_GROUPS } from '../phone/networks.ts';
import { CAMPAIGN_STATES, LOOKUP_ANSWERS, MESSAGE_STATUSES, SCHEDULE_MODES } from '../vocabulary.ts';
import { CHART_POINTS } from '../outcome.ts';

export { CHART_POINTS };

/**
 * Zod schemas of the engine's data types (electron/engine/api.ts), as they cross IPC or HTTP.
 * Limits are deliberate: bulk data crosses in pages and chunks, so a schema refuses a giant array
 * instead of letting one call freeze the renderer or the main process.
 */

export const MAX_PAGE = 1000;
// A chunk is checked and stored synchronously by the engine host: 2,000 rows keep that well under 50 ms.
export const MAX_IMPORT_CHUNK = 2000;
export const MAX_NUMBERS_PER_CALL = 5000;
export const MAX_FIELDS = 500;
export const MAX_CELL = 10_000;
export const MAX_TEMPLATE = 10_000;
export const MAX_UNCERTAIN_PAGE = 100;

export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** a list named by the user or referred to by id */
export const listRef = z.union([id, z.string().trim().min(1).max(200)]);
export const format = z.enum(['csv', 'xlsx']);
export const epochMs = z.number().int().min(0);

export const messageStatus = z.enum(MESSAGE_STATUSES);
export const campaignState = z.enum(CAMPAIGN_STATES);
export const scheduleMode = z.enum(SCHEDULE_MODES);

export const page = z.strictObject({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(MAX_PAGE).default(100),
});

export const fieldsRecord = z.record(z.string().max(200), z.string().max(MAX_CELL));

export const listSummary = z.object({
  id: z.number(),
  name: z.string(),
  contacts: z.number(),
  fields: z.array(z.string()).max(MAX_FIELDS),
  createdAt: z.number(),
  source: z.string().nullable(),
});

export const rawContactRow = z.strictObject({
  row: z.number().int().min(0),
  phone: z.string().max(200),
  fields: fieldsRecord.refine(
    (f) => Object.keys(f).length <= MAX_FIELDS,
    `A row can carry at most ${MAX_FIELDS} columns.`,
  ),
});

export const importCounts = z.object({
  rows: z.number(),
  valid: z.number(),
  invalid: z.number(),
  duplicates: z.number(),
  suppressed: z.number(),
});

export const rejectKind = z.enum(['invalid', 'duplicate', 'suppressed']);

export const importReport = z.object({
  list: z.object({ id: z.number(), name: z.string() }),
  rows: z.number(),
  valid: z.number(),
  invalid: z.number(),
  duplicates: z.number(),
  suppressed: z.number(),
  sheet: z.string().nullable(),
  headerRow: z.number(),
  phoneColumn: z.string(),
  fields: z.array(z.string()).max(MAX_FIELDS),
  rejects: z
    .array(z.object({ row: z.number(), kind: rejectKind, value: z.string(), reason: z.string() }))
    .max(MAX_PAGE),
});

export const contactRow = z.object({
  seq: z.number(),
  row: z.number(),
  msisdn: z.string(),
  network: z.string().nullable(),
  fields: fieldsRecord,
});
export const rejectRow = z.object({
  row: z.number(),
  kind: rejectKind,
  value: z.string(),
  reason: z.string(),
  fields: fieldsRecord,
});

export const statusCounts = z.object(
  Object.fromEntries(messageStatus.options.map((s) => [s, z.number()])) as {
    [K in z.infer<typeof messageStatus>]: z.ZodNumber;
  },
);

export const campaignSummary = z.object({
  id: z.number(),
  name: z.string(),
  state: campaignState,
  listId: z.number().nullable(),
  listName: z.string().nullable(),
  parentId: z.number().nullable(),
  sender: z.string(),
  template: z.string(),
  recipients: z.number(),
  parts: z.number(),
  suppressed: z.number(),
  scheduleMode: scheduleMode.nullable(),
  sendAt: z.number().nullable(),
  pauseReason: z.string().nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});

export const campaignStatus = campaignSummary.extend({
  counts: statusCounts,
  shortBatches: z.number(),
  needsDecision: z.number(),
  rate: z.number(),
  recipientRate: z.number(),
  rateLimit: z.number(),
  heldByAnswers: z
    .object({ answerMs: z.number(), inFlight: z.number(), ceiling: z.number(), enough: z.number() })
    .nullable(),
  retry: z.object({ at: z.number(), reason: z.string().nullable() }).nullable(),
  etaMs: z.number().nullable(),
  toSend: z.object({ recipients: z.number(), parts: z.number() }).nullable(),
  sandbox: z.boolean(),
});

export const NETWORK_GROUP_COUNT = NETWORK_GROUPS.length;
export const networkBreakdown = z.object({
  network: z.enum(NETWORK_GROUPS),
  recipients: z.number(),
  delivered: z.number(),
  failed: z.number(),
  pending: z.number(),
  unknown: z.number(),
  cancelled: z.number(),
});

export const MAX_TEMPLATES = 1000;
export const template = z.object({
  id: z.number(),
  name: z.string(),
  sender: z.string(),
  text: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export const uncertainBatch = z.object({
  batchId: z.number(),
  clientRef: z.string(),
  sentAt: z.number().nullable(),
  error: z.string().nullable(),
  httpStatus: z.number().nullable(),
  checks: z.number(),
  lookups: z
    .array(
      z.object({
        at: z.number(),
        answer: z.enum(LOOKUP_ANSWERS),
        detail: z.string().nullable(),
      }),
    )
    .max(1000),
  recipientCount: z.number(),
  /** at most 200 per batch; recipientCount says how many there are */
  recipients: z.array(z.object({ seq: z.number(), msisdn: z.string() })).max(200),
});
export const uncertainCause = z.object({
  httpStatus: z.number().nullable(),
  error: z.string().nullable(),
  batches: z.number(),
  recipients: z.number(),
  unchecked: z.number(),
  minChecks: z.number(),
  maxChecks: z.number(),
  failedLookups: z.number(),
});

export const campaignPreview = z.object({
  recipients: z.number(),
  suppressed: z.number(),
  totalParts: z.number(),
  maxParts: z.number(),
  typicalParts: z.number(),
  overTypical: z.number(),
  cost: z.number(),
  currency: z.string(),
  encoding: z.enum(['GSM-7', 'UCS-2', 'mixed']),
  unknownFields: z.array(z.string()).max(MAX_FIELDS),
  /** why the template cannot be used (unknown field, unclosed brace), or null */
  templateError: z.string().nullable().default(null),
  longest: z.object({ seq: z.number(), msisdn: z.string(), text: z.string(), parts: z.number() }).nullable(),
  /** list positions of up to 100 recipients, longest message first */
  longestFirst: z.array(z.number()).max(1000).default([]),
  longValues: z.number().default(0),
  blank: z
    .array(
      z.object({
        field: z.string(),
        count: z.number(),
        rows: z.array(z.number()).max(50),
        sample: z.array(z.object({ row: z.number(), msisdn: z.string() })).max(5),
      }),
    )
    .max(MAX_FIELDS)
    .default([]),
  blankRecipients: z.number().default(0),
  accents: z
    .object({
      recipients: z.number(),
      extraParts: z.number(),
      extraCost: z.number(),
      chars: z.array(z.object({ shown: z.string(), count: z.number() })).max(20),
      sample: z
        .array(
          z.object({
            row: z.number(),
            msisdn: z.string(),
            field: z.string(),
            value: z.string(),
            plain: z.string(),
            parts: z.number(),
            plainParts: z.number(),
          }),
        )
        .max(5),
      stripped: z.boolean(),
    })
    .default({ recipients: 0, extraParts: 0, extraCost: 0, chars: [], sample: [], stripped: false }),
  languages: z.array(z.string()).max(10).default([]),
  destinations: z
    .array(
      z.object({
        country: z.string(),
        recipients: z.number(),
        parts: z.number(),
        pricePerPart: z.number(),
        guessed: z.boolean(),
        cost: z.number(),
      }),
    )
    .max(300)
    .default([]),
});

/** the user's answers to the data check, the same for the preview and the send */
export const blankChoice = z.enum(['skip', 'send'], 'Choose what to do about blank values: skip or send.');
export const accentChoice = z.enum(['keep', 'strip'], 'Choose keep or strip for accented values.');

export const messageRow = z.object({
  seq: z.number(),
  msisdn: z.string(),
  network: z.string().nullable(),
  fields: fieldsRecord,
  text: z.string(),
  encoding: z.string(),
  parts: z.number(),
  status: messageStatus,
  rawStatus: z.string().nullable(),
  rawCode: z.number().nullable(),
  reason: z.string().nullable(),
  submittedAt: z.number().nullable(),
  acceptedAt: z.number().nullable(),
  finalAt: z.number().nullable(),
});

export const settings = z.object(settingsSchema);
// an unknown key gets one short sentence, not the list of every setting (it grows with each new one)
export const settingKey = z.enum(
  Object.keys(settingsSchema) as [keyof typeof settingsSchema, ...(keyof typeof settingsSchema)[]],
  {
    error: 'not one of the settings; Settings, or `smsdesk config list`, shows them all',
  },
);

export const tokenStatus = z.object({
  set: z.boolean(),
  source: z.enum(['env', 'keychain']).nullable(),
  sandbox: z.boolean(),
  /** why the keychain cannot be read (so no token could be found there), in a sentence saying what to do */
  problem: z.string().max(1000).optional(),
});

/** what a check against the gateway says, in one sentence for the user */
export const verdict = z.object({ ok: z.boolean(), message: z.string().max(2000) });

/**
 * An export is written by the main process. In Electron the user picked `path` in a save dialog
 * (null and saved=false when they cancelled); in web mode the file waits behind a one-time
 * `downloadUrl` (relative to the page) that renderer/src/api's download() fetches.
 */
export const exportResult = z.object({
  saved: z.boolean(),
  rows: z.number(),
  /** XLSX text cells cut to Excel's limit (shared/exports.ts cutCellsNote says so) */
  cutCells: z.number(),
  name: z.string(),
  path: z.string().nullable(),
  downloadUrl: z.string().nullable(),
});

export const pageOf = <T extends z.ZodType>(row: T) =>
  z.object({ total: z.number(), rows: z.array(row).max(MAX_PAGE) });
