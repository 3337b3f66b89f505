/**
 * The engine's public surface: what the CLI, the Electron IPC handlers and the web bridge call.
 * Plain data in, plain data out (JSON-serialisable), so it crosses IPC unchanged.
 */
import type { SettingKey, Settings } from '../../shared/settings.ts';
import type { NetworkGroup } from '../../shared/phone/networks.ts';

import type { CampaignState, LookupAnswer, MessageStatus, ScheduleMode } from '../../shared/vocabulary.ts';
import type { RawContactRow } from '../../shared/import/rows.ts';
import type { HeldRate } from '../../shared/rateHeld.ts';
import type { ExportResult } from '../../shared/exports.ts';

// The vocabulary and the parsed row live in shared/ (the window uses them too); named here as before.
export { MESSAGE_STATUSES, FINAL_STATUSES, CAMPAIGN_STATES } from '../../shared/vocabulary.ts';
export type { CampaignState, MessageStatus, ScheduleMode } from '../../shared/vocabulary.ts';
export type { RawContactRow } from '../../shared/import/rows.ts';

export interface ListSummary {
  id: number;
  name: string;
  contacts: number;
  fields: string[];
  createdAt: number;
  source: string | null;
}

export interface ImportOptions {
  list: string; // name of the new list
  sheet?: string;
  headerRow?: number; // 1-based row of the header, overrides detection
  phoneColumn?: string;
  country?: string; // default country, e.g. 'NG'
  encoding?: string; // override detection: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252'
}
export interface ImportProgress {
  phase: 'reading' | 'storing' | 'done';
  rows: number;
  bytesRead: number;
  totalBytes: number;
}
export interface ImportReport {
  list: { id: number; name: string };
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  suppressed: number;
  sheet: string | null;
  headerRow: number;
  phoneColumn: string;
  fields: string[];
  /** the first rejected rows (all of them are kept in the database and exportable) */
  rejects: Array<{ row: number; kind: 'invalid' | 'duplicate' | 'suppressed'; value: string; reason: string }>;
}

/** How far create() has come: contacts of the list read (opted-out and skipped ones too), of its total. */
export interface CreateControl {
  onProgress?(p: { contacts: number; of: number }): void;
}
export interface CampaignCreate {
  list: string | number; // list name or id
  from: string; // sender ID
  text: string; // template with {merge_fields}
  name?: string;
  sendAt?: number | null; // epoch ms
  schedule?: ScheduleMode; // default 'local' when sendAt is set
  /** recipients whose merge value is blank: leave them out, or send with the gap; unset = refuse */
  blank?: 'skip' | 'send';
  /** 'strip': values that alone make a message Unicode lose their accents (á → a); default 'keep' */
  accents?: 'keep' | 'strip';
}

export type StatusCounts = Record<MessageStatus, number>;

export interface CampaignSummary {
  id: number;
  name: string;
  state: CampaignState;
  listId: number | null;
  listName: string | null;
  parentId: number | null;
  sender: string;
  template: string;
  recipients: number;
  parts: number;
  suppressed: number;
  scheduleMode: ScheduleMode | null;
  sendAt: number | null;
  pauseReason: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}
export interface CampaignStatus extends CampaignSummary {
  counts: StatusCounts;
  /** batches answered but with recipients_processed short of the recipients sent */
  shortBatches: number;
  /** recipients whose outcome is unknown and need a decision (see uncertain()) */
  needsDecision: number;
  /**
   * requests per second as the gateway saw them (answers in the limiter's last ten windows, so
   * never above rateLimit; 0 unless sending), the recipients they carried, and an ETA in ms
   */
  rate: number;
  recipientRate: number;
  rateLimit: number;
  /** the rate stays under the limit because each request waits for its answer (campaigns/service.ts heldByAnswers) */
  heldByAnswers: HeldByAnswers | null;
  etaMs: number | null;
  /**
   * A draft's recipients and parts still to send: numbers opted out since it was made are
   * cancelled and left out (campaigns/optedOut.ts). Null unless a draft.
   */
  toSend: { recipients: number; parts: number } | null;
  /** waiting out a back-off after the gateway could not take a request (503, 429, network down) */
  retry: { at: number; reason: string | null } | null;
  sandbox: boolean;
}
/** The answer time and the requests allowed out at once that hold the rate under its limit. */
export type HeldByAnswers = HeldRate;
/** Recipients by network; upToDate false = the last count, redone soon (counting a big campaign is not free). */
export interface NetworkCounts {
  networks: NetworkBreakdown[];
  countedAt: number;
  upToDate: boolean;
}
/** One network's recipients by outcome (shared/outcome.ts). */
export interface NetworkBreakdown {
  network: NetworkGroup;
  recipients: number;
  delivered: number;
  failed: number;
  pending: number;
  unknown: number;
  cancelled: number;
}
export interface UncertainBatch {
  batchId: number;
  clientRef: string;
  sentAt: number | null;
  error: string | null;
  /** the gateway's HTTP answer (500, 502, 504), or null when none came (timeout, reset, app stopped) */
  httpStatus: number | null;
  /** lookups that count as evidence; 0 = not looked up yet, so not decidable yet */
  checks: number;
  /** every report lookup made for this batch and what the gateway answered, oldest first */
  lookups: Array<{ at: number; answer: LookupAnswer; detail: string | null }>;
  recipientCount: number;
  /** the batch's undecided recipients (at most 200 of them when a page was asked for) */
  recipients: Array<{ seq: number; msisdn: string }>;
}

/** Undecided recipients grouped by what happened to their request. */
export interface UncertainCause {
  httpStatus: number | null;
  /** one example of the recorded reason (requests without an answer differ in detail) */
  error: string | null;
  batches: number;
  recipients: number;
  /** batches not looked up yet */
  unchecked: number;
  /** the fewest / most checks made among the looked-up batches */
  minChecks: number;
  maxChecks: number;
  /** lookups that failed (no answer from the report endpoint) among them */
  failedLookups: number;
}

/** A saved message: picked in Compose to fill the sender ID and the text. */
export interface Template {
  id: number;
  name: string;
  sender: string;
  text: string;
  createdAt: number;
  updatedAt: number;
}
/** `id` given: change that template; without: a new one */
export interface TemplateInput {
  id?: number;
  name: string;
  sender: string;
  text: string;
}

export interface UncertainPage {
  total: number;
  recipients: number;
  causes: UncertainCause[];
  batches: UncertainBatch[];
}

export interface ImportCounts {
  rows: number;
  valid: number;
  invalid: number;
  duplicates: number;
  suppressed: number;
}
export interface ContactRow {
  seq: number;
  row: number;
  msisdn: string;
  network: string | null;
  fields: Record<string, string>;
}
export interface RejectRow {
  row: number;
  kind: 'invalid' | 'duplicate' | 'suppressed';
  value: string;
  reason: string;
  fields: Record<string, string>;
}

export interface CampaignPreview {
  recipients: number;
  suppressed: number;
  totalParts: number;
  maxParts: number;
  typicalParts: number;
  /** recipients needing more parts than the typical (most common) count */
  overTypical: number;
  cost: number;
  currency: string;
  encoding: 'GSM-7' | 'UCS-2' | 'mixed';
  unknownFields: string[];
  /** why the template cannot be used (unknown field, unclosed brace), or null */
  templateError: string | null;
  longest: { seq: number; msisdn: string; text: string; parts: number } | null;
  /** list positions (seq) of up to 100 recipients, longest message first */
  longestFirst: number[];
  /** recipients over the typical part count because their values are long (not because of accents) */
  longValues: number;
  /** fields used without a fallback whose value is blank, by field; file row numbers (first 50) */
  blank: Array<{ field: string; count: number; rows: number[]; sample: Array<{ row: number; msisdn: string }> }>;
  /** recipients with at least one blank value (each counted once); left out of the totals when skipped */
  blankRecipients: number;
  /** recipients whose own values (accented names) make their message Unicode while the template is GSM-7 */
  accents: {
    recipients: number;
    /** parts and cost the accents add over sending those values without them */
    extraParts: number;
    extraCost: number;
    /** the letters responsible, each with its marks, most frequent first */
    chars: Array<{ shown: string; count: number }>;
    sample: Array<{
      row: number;
      msisdn: string;
      field: string;
      value: string;
      plain: string;
      parts: number;
      plainParts: number;
    }>;
    /** true when the totals already count those values without accents */
    stripped: boolean;
  };
  /** the Nigerian languages the template itself is written in (it is Unicode by choice), or [] */
  languages: string[];
  /** recipients abroad, by country, priced per part as set in Settings or (guessed) at the Nigerian price */
  destinations: Array<{
    country: string;
    recipients: number;
    parts: number;
    pricePerPart: number;
    guessed: boolean;
    cost: number;
  }>;
}
export interface PreviewInput {
  list: string | number;
  text: string;
  blank?: 'skip' | 'send';
  accents?: 'keep' | 'strip';
}
export interface MessageRow {
  seq: number;
  msisdn: string;
  network: string | null;
  fields: Record<string, string>;
  text: string;
  encoding: string;
  parts: number;
  status: MessageStatus;
  rawStatus: string | null;
  rawCode: number | null;
  reason: string | null;
  submittedAt: number | null;
  acceptedAt: number | null;
  finalAt: number | null;
}

export interface EngineEvent {
  /**
   * 'log': a sentence for the user about the engine itself (the host's restart notice);
   * 'preparing': how far a campaign's create() has come ({ contacts, of }), a few times a second
   */
  type: 'campaign' | 'sending-blocked' | 'log' | 'preparing';
  campaignId?: number;
  detail?: unknown;
}

export interface Engine {
  readonly dataDir: string;
  /** true when no token is set and the built-in sandbox gateway is in use */
  readonly sandbox: boolean;

  settings: {
    get<K extends SettingKey>(key: K): Settings[K];
    set<K extends SettingKey>(key: K, value: unknown): Settings[K];
    all(): Settings;
  };
  token: {
    /** `problem`: why the keychain cannot be read, when it cannot (the app then runs on the sandbox) */
    status(): Promise<{ set: boolean; source: 'env' | 'keychain' | null; sandbox: boolean; problem?: string }>;
    set(token: string): Promise<void>;
    clear(): Promise<void>;
    /** asks the gateway whether the token is accepted, without sending an SMS */
    test(): Promise<{ ok: boolean; message: string }>;
  };
  lists: {
    list(): ListSummary[];
    get(idOrName: number | string): ListSummary | null;
    import(
      path: string,
      opts: ImportOptions,
      ctl?: { signal?: AbortSignal; onProgress?(p: ImportProgress): void },
    ): Promise<ImportReport>;
    /** hidden at once, its rows deleted a few thousand at a time with the event loop turning between */
    delete(id: number): Promise<void>;
    contacts(listId: number, page: { offset: number; limit: number }): { total: number; rows: ContactRow[] };
    rejects(listId: number, page: { offset: number; limit: number }): { total: number; rows: RejectRow[] };
    /** writes the rejected rows (invalid, duplicate, suppressed) as CSV or XLSX the user can fix and re-import */
    exportRejects(listId: number, file: string, format: 'csv' | 'xlsx'): Promise<ExportResult>;
  };
  /** imports fed row by row (the renderer parses in a worker and sends chunks); same rules as lists.import */
  imports: {
    begin(opts: {
      list: string;
      fields: string[];
      phoneColumn: string;
      source?: string;
      country?: string;
      sheet?: string | null;
      headerRow?: number;
    }): { importId: string };
    add(importId: string, rows: RawContactRow[]): ImportCounts;
    commit(importId: string): ImportReport;
    /** the list is gone from view at once; its rows are deleted a few thousand at a time */
    cancel(importId: string): Promise<void>;
  };
  optouts: {
    list(page: { offset: number; limit: number; search?: string }): {
      total: number;
      rows: Array<{ msisdn: string; addedAt: number; source: string | null }>;
    };
    /** `cancelled`: queued messages to these numbers, in `campaigns` not finished, that will not be sent now */
    add(
      numbers: string[],
      source?: string,
    ): Promise<{ added: number; invalid: string[]; cancelled: number; campaigns: number }>;
    /** `restored`: messages their opt-out had cancelled, queued again in `campaigns` not finished */
    remove(numbers: string[]): { removed: number; restored: number; campaigns: number };
    import(
      path: string,
      opts?: { country?: string; encoding?: string },
    ): Promise<{ added: number; invalid: number; rows: number; cancelled: number; campaigns: number }>;
  };
  templates: {
    /** every saved template, by name */
    list(): Template[];
    save(input: TemplateInput): Template;
    delete(id: number): { deleted: boolean };
  };
  campaigns: {
    /**
     * freezes one message per recipient in slices (the rest of the engine goes on between them);
     * onProgress after each slice with the contacts read so far
     */
    create(input: CampaignCreate, ctl?: CreateControl): Promise<CampaignSummary>;
    list(): CampaignSummary[];
    get(id: number): CampaignSummary | null;
    status(id: number): CampaignStatus;
    /** campaigns still going (sending, scheduled, paused), for the strip on every page */
    active(): CampaignStatus[];
    /** delivered / failed / pending per network */
    networks(id: number): NetworkCounts;
    /** ends the back-off of a campaign waiting for the gateway, so it tries again now */
    retryNow(id: number): CampaignStatus;
    /** queue it for sending now (or at its local schedule) */
    send(id: number): CampaignStatus;
    pause(id: number): CampaignStatus;
    resume(id: number): CampaignStatus;
    /** cancelled at once; its queued messages a few thousand per transaction, the event loop turning between */
    cancel(id: number): Promise<CampaignStatus>;
    /** undecided batches by cause, and one page of them (every batch and recipient without a page) */
    uncertain(id: number, page?: { offset: number; limit: number }): UncertainPage;
    resolve(id: number, decision: 'resend' | 'mark-failed'): CampaignStatus;
    /** a child campaign holding the failed / rejected / expired recipients only */
    resendFailed(id: number): Promise<CampaignSummary>;
    /** parts, cost and unknown merge fields for a template over a list, before creating anything */
    preview(input: PreviewInput): CampaignPreview;
    messages(
      id: number,
      page: { offset: number; limit: number; status?: MessageStatus; order?: 'seq' | 'parts-desc' },
    ): { total: number; rows: MessageRow[] };
    /** one row per recipient: original fields, text, parts, status, reason, times; formula-escaped */
    export(id: number, file: string, format: 'csv' | 'xlsx'): Promise<ExportResult>;
    /** cumulative counts per status over time, for the delivery chart */
    chart(id: number): Array<{ at: number; counts: Partial<StatusCounts> }>;
    /** sends the template, rendered with the first recipient's fields, to one number (the user's own) */
    testSend(input: {
      from: string;
      text: string;
      to: string;
      list?: string | number;
    }): Promise<{ ok: boolean; message: string }>;
  };
  /** run the send loop and the delivery-report poller until close() */
  start(): void;
  /** resolves once the work start() begins beside sending is over: the check after start, and the daily backup it may make */
  afterStart(): Promise<void>;
  /** resolve when nothing of the campaign is queued or submitting (or it is paused/cancelled) */
  waitIdle(campaignId: number, opts?: { signal?: AbortSignal }): Promise<CampaignStatus>;
  /** poll delivery reports of the campaign now; with waitMs, until all final or the time is up */
  pollReports(campaignId: number, opts?: { waitMs?: number }): Promise<CampaignStatus>;
  on(listener: (e: EngineEvent) => void): () => void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The method registry: every Engine method another thread may call, checked against the interface.

type AnyFn = (...args: never[]) => unknown;
/** the groups of the Engine (settings, token, lists, …): its members that are objects of methods */
export type EngineGroup = {
  [K in keyof Engine]: Engine[K] extends AnyFn ? never : Engine[K] extends object ? K : never;
}[keyof Engine];
/** 'group.method' for every method of every group, and the top-level methods (on and close have their own messages) */
export type EngineMethod =
  | { [G in EngineGroup]: `${G}.${keyof Engine[G] & string}` }[EngineGroup]
  | Exclude<{ [K in keyof Engine]: Engine[K] extends AnyFn ? K : never }[keyof Engine], 'on' | 'close'>;

/**
 * Every engine method the worker answers, where its control argument (signal / onProgress) sits,
 * whether the UI reaches it as a route of shared/ipc/contract.ts (`route: false` = CLI, host
 * and tests only), and whether only the data folder's owner may run it (`owner`: it writes the
 * ledger, the keychain or spends the rate; anyone else gets the owner's sentence, engine.ts). `satisfies` makes a method missing here, or one the Engine no longer has, a
 * compile error; the worker proxy (electron/host) and the route list check are built from it.
 */
export const METHODS = {
  'settings.get': { route: false },
  'settings.set': { owner: true },
  'settings.all': {},
  'token.status': {},
  'token.set': { owner: true },
  'token.clear': { owner: true },
  'token.test': {},
  'lists.list': {},
  'lists.get': {},
  'lists.import': { ctlArg: 2, route: false, owner: true },
  'lists.delete': { owner: true },
  'lists.contacts': {},
  'lists.rejects': {},
  'lists.exportRejects': {},
  'imports.begin': { owner: true },
  'imports.add': { owner: true },
  'imports.commit': { owner: true },
  'imports.cancel': { owner: true },
  'optouts.list': {},
  'optouts.add': { owner: true },
  'optouts.remove': { owner: true },
  'optouts.import': { route: false, owner: true },
  'templates.list': {},
  'templates.save': { owner: true },
  'templates.delete': { owner: true },
  'campaigns.create': { owner: true },
  'campaigns.list': {},
  'campaigns.get': {},
  'campaigns.status': {},
  'campaigns.send': { owner: true },
  'campaigns.active': {},
  'campaigns.networks': {},
  'campaigns.retryNow': { owner: true },
  'campaigns.pause': { owner: true },
  'campaigns.resume': { owner: true },
  'campaigns.cancel': { owner: true },
  'campaigns.uncertain': {},
  'campaigns.resolve': { owner: true },
  'campaigns.resendFailed': { owner: true },
  'campaigns.preview': {},
  'campaigns.messages': {},
  'campaigns.export': {},
  'campaigns.chart': {},
  'campaigns.testSend': { owner: true },
  start: { route: false },
  afterStart: { route: false },
  waitIdle: { ctlArg: 1, route: false },
  pollReports: { route: false },
} as const satisfies Record<EngineMethod, { ctlArg?: number; route?: false; owner?: true }>;

/** the engine methods the UI reaches: each is also a route of the same name (electron/handlers/types.ts checks it) */
export type RoutedMethod = {
  [M in EngineMethod]: (typeof METHODS)[M] extends { route: false } ? never : M;
}[EngineMethod];
export const ROUTED_METHODS = (Object.keys(METHODS) as EngineMethod[]).filter(
  (m) => !('route' in METHODS[m]),
) as RoutedMethod[];

export function isEngineMethod(name: unknown): name is EngineMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHODS, name);
}
/** where the control argument of a method sits, if it has one */
export function ctlArgOf(method: EngineMethod): number | undefined {
  const m = METHODS[method];
  return 'ctlArg' in m ? m.ctlArg : undefined;
}

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
type MaybeAsync<F> = F extends (...args: infer A) => infer R ? (...args: A) => R | Promise<Awaited<R>> : never;
type TopMethod = Exclude<EngineMethod, `${string}.${string}`>;
/** settings.get/set keep their per-key types (a mapped type would widen them to every setting) */
interface SettingsCallsAsync {
  get<K extends SettingKey>(key: K): Promise<Settings[K]>;
  set<K extends SettingKey>(key: K, value: unknown): Promise<Settings[K]>;
  all(): Promise<Settings>;
}
interface SettingsCallsMaybe {
  get<K extends SettingKey>(key: K): Settings[K] | Promise<Settings[K]>;
  set<K extends SettingKey>(key: K, value: unknown): Settings[K] | Promise<Settings[K]>;
  all(): Settings | Promise<Settings>;
}
interface EngineShell {
  readonly dataDir: string;
  readonly sandbox: boolean;
  on(listener: (e: EngineEvent) => void): () => void;
  close(): Promise<void>;
}

/** The Engine answered from its worker thread (electron/host): every method of METHODS, as a promise. */
export type AsyncEngine = EngineShell & { settings: SettingsCallsAsync } & {
  [G in Exclude<EngineGroup, 'settings'>]: { [K in keyof Engine[G]]: Async<Engine[G][K]> };
} & { [M in TopMethod]: Async<Engine[M]> };
/** What the handlers take: the Engine in this thread, or the AsyncEngine of a worker. Callers always `await`. */
export type EngineLike = EngineShell & { settings: SettingsCallsMaybe } & {
  [G in Exclude<EngineGroup, 'settings'>]: { [K in keyof Engine[G]]: MaybeAsync<Engine[G][K]> };
} & { [M in TopMethod]: MaybeAsync<Engine[M]> };
