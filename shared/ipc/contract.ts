import { z } from 'zod';
import * as s from './schemas.ts';
import { MAX_TEMPLATE_NAME, MAX_TEMPLATE_TEXT } from '../templates.ts';

/**
 * Every route between the UI and the main process, with its input and output schema.
 * Electron IPC (electron/ipc.ts + preload.ts) and the web bridge (electron/web/server.ts) both
 * serve exactly this list through electron/handlers, so a route added here exists in both modes.
 * See AGENTS.md in this folder for how to add one.
 */

const none = z.strictObject({}).optional();
const byId = z.strictObject({ id: s.id });
// Only a size guard here: the engine validates the token itself (electron/engine/secrets/token.ts) with
// messages that never quote it.
const token = z
  .string()
  .max(100_000, 'That is far too long for an API token: copy only the token from your 9bits account.');

const route = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

export const routes = {
  'app.info': route(
    none,
    z.object({
      version: z.string(),
      sandbox: z.boolean(),
      dataDir: z.string(),
      platform: z.string(),
      mode: z.enum(['electron', 'web']),
    }),
  ),

  'settings.all': route(none, s.settings),
  /** value is parsed by the setting's own schema (strings from a form are accepted); returns every setting after the change */
  'settings.set': route(z.strictObject({ key: s.settingKey, value: z.unknown() }), s.settings),

  // The token goes in, never out: outputs only say whether one is set and where it came from.
  'token.status': route(none, s.tokenStatus),
  'token.set': route(z.strictObject({ token }), s.tokenStatus),
  'token.clear': route(none, s.tokenStatus),
  'token.test': route(none, s.verdict),

  'lists.list': route(none, z.array(s.listSummary).max(100_000)),
  'lists.get': route(z.strictObject({ id: s.listRef }), s.listSummary.nullable()),
  'lists.delete': route(byId, z.null()),
  'lists.contacts': route(
    z.strictObject({ listId: s.id, offset: s.page.shape.offset, limit: s.page.shape.limit }),
    s.pageOf(s.contactRow),
  ),
  'lists.rejects': route(
    z.strictObject({ listId: s.id, offset: s.page.shape.offset, limit: s.page.shape.limit }),
    s.pageOf(s.rejectRow),
  ),
  'lists.exportRejects': route(z.strictObject({ listId: s.id, format: s.format.default('csv') }), s.exportResult),

  // Imports: the renderer parses the file (in a worker) and sends rows in chunks.
  'imports.begin': route(
    z.strictObject({
      list: z.string().trim().min(1, 'Give the new list a name.').max(200),
      fields: z.array(z.string().max(200)).max(s.MAX_FIELDS),
      phoneColumn: z.string().min(1, 'Choose the column that holds the phone numbers.').max(200),
      source: z.string().max(500).optional(),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/, 'The country must be a two-letter code such as NG.')
        .optional(),
      sheet: z.string().max(200).nullable().optional(),
      headerRow: z.number().int().min(1).optional(),
    }),
    z.object({ importId: z.string() }),
  ),
  'imports.add': route(
    z.strictObject({
      importId: z.string().min(1).max(200),
      rows: z.array(s.rawContactRow).max(s.MAX_IMPORT_CHUNK, `Send at most ${s.MAX_IMPORT_CHUNK} rows per call.`),
    }),
    s.importCounts,
  ),
  'imports.commit': route(z.strictObject({ importId: z.string().min(1).max(200) }), s.importReport),
  'imports.cancel': route(z.strictObject({ importId: z.string().min(1).max(200) }), z.null()),

  'optouts.list': route(
    z.strictObject({
      offset: s.page.shape.offset,
      limit: s.page.shape.limit,
      search: z.string().max(50).optional(),
    }),
    s.pageOf(z.object({ msisdn: z.string(), addedAt: z.number(), source: z.string().nullable() })),
  ),
  'optouts.add': route(
    z.strictObject({
      numbers: z
        .array(z.string().max(200))
        .min(1)
        .max(s.MAX_NUMBERS_PER_CALL, `Send at most ${s.MAX_NUMBERS_PER_CALL} numbers per call.`),
      source: z.string().max(500).optional(),
    }),
    z.object({
      added: z.number(),
      invalid: z.array(z.string()).max(s.MAX_NUMBERS_PER_CALL),
      cancelled: z.number(),
      campaigns: z.number(),
    }),
  ),
  'optouts.remove': route(
    z.strictObject({
      numbers: z
        .array(z.string().max(200))
        .min(1)
        .max(s.MAX_NUMBERS_PER_CALL, `Send at most ${s.MAX_NUMBERS_PER_CALL} numbers per call.`),
    }),
    z.object({ removed: z.number(), restored: z.number(), campaigns: z.number() }),
  ),

  'templates.list': route(none, z.array(s.template).max(s.MAX_TEMPLATES)),
  'templates.save': route(
    z.strictObject({
      id: s.id.optional(),
      // a size guard only: the engine refuses a name over MAX_TEMPLATE_NAME with its own sentence
      name: z.string().max(200, `A template name has at most ${MAX_TEMPLATE_NAME} characters.`),
      sender: z.string().max(40),
      text: z.string().max(MAX_TEMPLATE_TEXT, `A template holds at most ${MAX_TEMPLATE_TEXT} characters.`),
    }),
    s.template,
  ),
  'templates.delete': route(byId, z.object({ deleted: z.boolean() })),

  'campaigns.create': route(
    z.strictObject({
      list: s.listRef,
      from: z.string().trim().min(1, 'Enter a sender ID.').max(15, 'A sender ID has at most 15 characters.'),
      text: z.string().min(1, 'Write the message first.').max(s.MAX_TEMPLATE),
      name: z.string().max(200).optional(),
      sendAt: s.epochMs.nullable().optional(),
      schedule: s.scheduleMode.optional(),
      blank: s.blankChoice.optional(),
      accents: s.accentChoice.optional(),
    }),
    s.campaignSummary,
  ),
  'campaigns.list': route(none, z.array(s.campaignSummary).max(100_000)),
  'campaigns.get': route(byId, s.campaignSummary.nullable()),
  'campaigns.status': route(byId, s.campaignStatus),
  /** campaigns still going (sending, scheduled, paused): the strip on every page */
  'campaigns.active': route(none, z.array(s.campaignStatus).max(20)),
  /** delivered / failed / pending per network */
  'campaigns.networks': route(
    byId,
    z.object({
      networks: z.array(s.networkBreakdown).max(s.NETWORK_GROUP_COUNT),
      countedAt: z.number(),
      upToDate: z.boolean(),
    }),
  ),
  /** "Retry now" during an outage: the campaign's back-off ends and the next request goes at once */
  'campaigns.retryNow': route(byId, s.campaignStatus),
  'campaigns.send': route(byId, s.campaignStatus),
  'campaigns.pause': route(byId, s.campaignStatus),
  'campaigns.resume': route(byId, s.campaignStatus),
  'campaigns.cancel': route(byId, s.campaignStatus),
  /** uncertain batches, a page of batches at a time */
  'campaigns.uncertain': route(
    z.strictObject({
      id: s.id,
      offset: s.page.shape.offset,
      limit: z.number().int().min(1).max(s.MAX_UNCERTAIN_PAGE).default(20),
    }),
    z.object({
      total: z.number(),
      recipients: z.number(),
      causes: z.array(s.uncertainCause).max(100),
      batches: z.array(s.uncertainBatch).max(s.MAX_UNCERTAIN_PAGE),
    }),
  ),
  'campaigns.resolve': route(
    z.strictObject({ id: s.id, decision: z.enum(['resend', 'mark-failed']) }),
    s.campaignStatus,
  ),
  'campaigns.resendFailed': route(byId, s.campaignSummary),
  'campaigns.preview': route(
    z.strictObject({
      list: s.listRef,
      text: z.string().max(s.MAX_TEMPLATE),
      blank: s.blankChoice.optional(),
      accents: s.accentChoice.optional(),
    }),
    s.campaignPreview,
  ),
  'campaigns.messages': route(
    z.strictObject({
      id: s.id,
      offset: s.page.shape.offset,
      limit: s.page.shape.limit,
      status: s.messageStatus.optional(),
      order: z.enum(['seq', 'parts-desc']).optional(),
    }),
    s.pageOf(s.messageRow),
  ),
  'campaigns.export': route(z.strictObject({ id: s.id, format: s.format.default('csv') }), s.exportResult),
  /** cumulative counts per status over time, at most CHART_POINTS points (the engine buckets the span) */
  'campaigns.chart': route(
    byId,
    z.array(z.object({ at: z.number(), counts: s.statusCounts.partial() })).max(s.CHART_POINTS),
  ),
  'campaigns.testSend': route(
    z.strictObject({
      from: z.string().trim().min(1, 'Enter a sender ID.').max(15, 'A sender ID has at most 15 characters.'),
      text: z.string().min(1, 'Write the message first.').max(s.MAX_TEMPLATE),
      to: z.string().trim().min(3, 'Enter your own phone number to receive the test.').max(20),
      list: s.listRef.optional(),
    }),
    s.verdict,
  ),
} as const;

/** Events pushed from the main process to the page. */
export const events = {
  /**
   * a campaign changed state or made progress (the engine sends a few per second at most);
   * campaignId and status are null when several campaigns changed at once (reload the list)
   */
  campaign: z.object({ campaignId: z.number().nullable(), status: s.campaignStatus.nullable() }),
  /**
   * sending is held up by something the user must fix: the token was refused ('auth'), the
   * gateway is unreachable ('offline') or the disk is full ('storage'). code null = unblocked again.
   */
  'sending-blocked': z.object({
    campaignId: z.number().nullable(),
    code: z.enum(['auth', 'offline', 'storage']).nullable(),
    message: z.string().nullable(),
  }),
  /** a campaign being created: contacts of its list read so far, of the list's total (a few per second at most) */
  'campaign-preparing': z.object({ contacts: z.number().int().min(0), of: z.number().int().min(0) }),
  /** something about the engine itself the user should know, e.g. it stopped unexpectedly and was restarted */
  'engine-notice': z.object({ message: z.string().max(500) }),
} as const;

export type Routes = typeof routes;
/** The route and event names: the keys of the two maps above, the only list of them. */
export type RouteName = keyof Routes;
export type EventName = keyof typeof events;
export const ROUTE_NAMES = Object.keys(routes) as RouteName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];
export const isRouteName = (name: unknown): name is RouteName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(routes, name);
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
export type RouteInput<R extends RouteName> = z.input<Routes[R]['input']>;
export type RouteOutput<R extends RouteName> = z.output<Routes[R]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** Error codes a call can fail with. Engine errors carrying their own UPPER_CASE code keep it. */
export type ErrorCode =
  | 'BAD_INPUT' // the input does not match the route's schema
  | 'FORBIDDEN' // the call did not come from our own page
  | 'UNAUTHORIZED' // web mode: missing or wrong access key
  | 'NOT_FOUND' // no such route, list or campaign
  | 'FAILED' // the engine refused with a sentence for the user
  | 'INTERNAL' // a bug; the message says so without internals
  | 'NETWORK' // web mode: the bridge could not be reached
  | (string & {});

export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiErrorShape };
