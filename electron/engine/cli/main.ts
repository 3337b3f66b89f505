import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, need, str, int, UsageError, type Parsed } from './args.ts';
import { statusJson, statusText, campaignJson } from './format.ts';
import { previewText } from './preview.ts';
import { accentFlag, blankFlag, blankRefusal, dataCheckJson, dataCheckLines } from './datacheck.ts';
import { createEngine, SANDBOX_NOTICE, SANDBOX_TOKEN } from '../engine.ts';
import { startSandbox } from '../sandbox/index.ts';
import { defaultDataDir } from '../paths.ts';
import { backupCommand, restoreCommand } from './backup.ts';
import { errorCode } from '../errors.ts';
import { redact } from '../redact.ts';
import { isSettingKey } from '../../../shared/settings.ts';
import { parseSendAt as parseSendAtText } from '../../../shared/schedule.ts';
import type { Engine } from '../api.ts';
import { cancelledSentence, restoredSentence } from '../../../shared/optouts.ts';
import { cutCellsNote } from '../../../shared/exports.ts';

const HELP = `smsdesk: bulk SMS through the 9bits gateway (the engine of SMS Desk)

Usage: smsdesk [--data-dir DIR] [--json] COMMAND ...

  config get KEY | config set KEY VALUE | config list
  token set (reads the token from stdin) | token status | token clear | token test
  lists
  import FILE --list NAME [--sheet NAME] [--phone-column NAME] [--country CC] [--encoding ENC]
  preview --text TEXT [--list NAME [--blank skip|send] [--accents keep|strip]]
  optout add NUMBER... | optout remove NUMBER... | optout list [--search TEXT] | optout import FILE
  campaign create --list NAME --from SENDER --text TEXT [--name NAME] [--send-at ISO] [--schedule local|gateway]
                  [--blank skip|send] [--accents keep|strip]
  campaign list
  send CAMPAIGN [--wait]          status CAMPAIGN          dlr CAMPAIGN [--wait SECONDS]
  resolve CAMPAIGN --resend|--mark-failed                  pause|resume|cancel CAMPAIGN
  export CAMPAIGN --out FILE [--format csv|xlsx]
  backup --out FILE [--force]      restore (lists backups) | restore --latest | restore --from FILE
  sandbox [--port N]

Environment: SMSDESK_TOKEN (overrides the keychain), SMSDESK_GATEWAY_URL (overrides gateway.baseUrl).
With no token set, everything runs on the built-in sandbox gateway (${SANDBOX_NOTICE}).`;

const OPTS: Record<string, 'string' | 'boolean'> = {
  'data-dir': 'string',
  json: 'boolean',
  help: 'boolean',
  list: 'string',
  sheet: 'string',
  'phone-column': 'string',
  country: 'string',
  encoding: 'string',
  text: 'string',
  from: 'string',
  name: 'string',
  'send-at': 'string',
  schedule: 'string',
  wait: 'string',
  resend: 'boolean',
  'mark-failed': 'boolean',
  port: 'string',
  search: 'string',
  out: 'string',
  format: 'string',
  blank: 'string',
  accents: 'string',
  limit: 'string',
  force: 'boolean',
  latest: 'boolean',
};

export interface Io {
  out(s: string): void;
  err(s: string): void;
  stdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  stdin: () =>
    new Promise((resolve, reject) => {
      let data = '';
      process.stdin.setEncoding('utf8');
      process.stdin
        .on('data', (c) => (data += c))
        .on('end', () => resolve(data))
        .on('error', reject);
    }),
  env: process.env,
};

/** Runs one command; returns the exit code (0 ok, 1 the work failed, 2 bad usage). */
export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
  // `--wait` is a flag for send and takes seconds for dlr: normalise before strict parsing.
  const args = argv.map((a, i) =>
    a === '--wait' && (argv[0] === 'send' || !/^\d+$/.test(argv[i + 1] ?? '')) ? '--wait=' : a,
  );
  let json = args.includes('--json');
  try {
    const p = parseArgs(args, OPTS);
    json = p.flags.has('json');
    const [cmd, ...rest] = p.positionals;
    if (!cmd || p.flags.has('help') || cmd === 'help') {
      io.out(HELP + '\n');
      return cmd || p.flags.has('help') ? 0 : 2;
    }
    const result = await dispatch(cmd, rest, p, io);
    if (json) io.out(JSON.stringify(result.json) + '\n');
    else io.out(result.text + '\n');
    return result.code ?? 0;
  } catch (e) {
    const code = e instanceof UsageError ? 'USAGE' : errorCode(e);
    // Whatever failed, the token from the environment is not printed with it (nor in a stack).
    const message = redact(oneSentence(e), io.env.SMSDESK_TOKEN);
    if (json) io.out(JSON.stringify({ error: { code, message } }) + '\n');
    io.err(`smsdesk: ${message}${e instanceof UsageError ? ' Run `smsdesk --help` for usage.' : ''}\n`);
    if (code === 'INTERNAL' && io.env.SMSDESK_DEBUG)
      io.err(`${redact(String((e as Error).stack), io.env.SMSDESK_TOKEN)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

function oneSentence(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  return m.split('\n')[0];
}

interface Result {
  json: unknown;
  text: string;
  code?: number;
}

/** What each command may change: these take the data folder (db/owner.ts) or are refused; the rest only read. */
const WRITES: Record<string, true | string[]> = {
  config: ['set'],
  token: ['set', 'clear'],
  import: true,
  optout: ['add', 'remove', 'import'],
  campaign: ['create'],
  send: true,
  resolve: true,
  pause: true,
  resume: true,
  cancel: true,
};

function folderNeed(p: Parsed): NonNullable<Parameters<typeof createEngine>[0]>['owner'] {
  const [cmd = '', sub = ''] = p.positionals;
  const w = WRITES[cmd];
  const write = w === true || (Array.isArray(w) && w.includes(sub));
  return { what: `smsdesk ${cmd}`, need: write ? 'write' : 'auto', long: cmd === 'send' && p.flags.has('wait') };
}

type CliEngine = Awaited<ReturnType<typeof createEngine>>;

async function withEngine<T>(p: Parsed, io: Io, fn: (engine: CliEngine) => Promise<T>): Promise<T> {
  const dataDir = str(p, 'data-dir') ?? defaultDataDir(io.env);
  const logFile = path.join(dataDir, 'smsdesk.log');
  const log = (line: string) => {
    try {
      fs.appendFileSync(logFile, `${new Date().toISOString()} ${redact(line, io.env.SMSDESK_TOKEN)}\n`, {
        mode: 0o600,
      });
    } catch {
      /* logging must never stop sending */
    }
  };
  // The engine creates the folder itself, with a clear message when it cannot.
  const engine = await createEngine({ dataDir, env: io.env, log, owner: folderNeed(p) });
  const stop = () => {
    void engine.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const r = await fn(engine);
    // Every output made on the sandbox says so, in both forms (here only, not in each command).
    if (engine.sandbox && r && typeof r === 'object' && 'json' in r) {
      const res = r as unknown as Result;
      if (res.json && typeof res.json === 'object' && !('notice' in res.json))
        Object.assign(res.json, { sandbox: true, notice: SANDBOX_NOTICE });
      if (!res.text.includes(SANDBOX_NOTICE)) res.text += `\n(${SANDBOX_NOTICE})`;
    }
    return r;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await engine.close();
  }
}

function campaignId(engine: Engine, ref: string | undefined): number {
  if (!ref) throw new UsageError('Name the campaign (its number or name).');
  if (/^\d+$/.test(ref)) return Number(ref);
  const c = engine.campaigns.list().find((x) => x.name === ref);
  if (!c)
    throw Object.assign(
      new Error(`There is no campaign called ${JSON.stringify(ref)}; see \`smsdesk campaign list\`.`),
      { code: 'NOT_FOUND' },
    );
  return c.id;
}

function parseSendAt(s: string | undefined): number | null {
  if (s === undefined) return null;
  // A server running the command may keep UTC while the user thinks in Lagos time: no guessing.
  const r = parseSendAtText(s, { now: Date.now(), zone: 'required' });
  if (!r.ok) throw new UsageError(`--send-at: ${r.message}`);
  return r.at;
}

async function dispatch(cmd: string, rest: string[], p: Parsed, io: Io): Promise<Result> {
  switch (cmd) {
    case 'config': {
      const [sub, key, value] = rest;
      return withEngine(p, io, async (e) => {
        if (sub === 'list') {
          const all = e.settings.all();
          return {
            json: { settings: all },
            text: Object.entries(all)
              .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
              .join('\n'),
          };
        }
        if (!key) throw new UsageError('Name the setting, e.g. `smsdesk config get rate.requestsPerSecond`.');
        if (!isSettingKey(key))
          throw Object.assign(
            new Error(`There is no setting called ${JSON.stringify(key)}; see \`smsdesk config list\`.`),
            { code: 'BAD_SETTING' },
          );
        if (sub === 'get')
          return { json: { key, value: e.settings.get(key) }, text: JSON.stringify(e.settings.get(key)) };
        if (sub === 'set') {
          if (value === undefined) throw new UsageError(`Give a value: smsdesk config set ${key} VALUE.`);
          const v = e.settings.set(key, value);
          return { json: { key, value: v }, text: `${key} = ${JSON.stringify(v)}` };
        }
        throw new UsageError('Use `config get KEY`, `config set KEY VALUE` or `config list`.');
      });
    }
    case 'token': {
      const [sub] = rest;
      if (sub === 'set') {
        const token = (await io.stdin()).trim();
        if (!token) throw new UsageError('Pipe the token on standard input, e.g. `smsdesk token set < token.txt`.');
        return withEngine(p, io, async (e) => {
          await e.token.set(token);
          return { json: { token: await e.token.status() }, text: 'Token saved in the keychain.' };
        });
      }
      return withEngine(p, io, async (e) => {
        if (sub === 'status') {
          const s = await e.token.status();
          return {
            json: { token: s },
            text: s.set
              ? `A token is set (from ${s.source === 'env' ? 'SMSDESK_TOKEN' : 'the keychain'}).`
              : `No token is set: the built-in sandbox gateway is used (${SANDBOX_NOTICE}).${s.problem ? ` ${s.problem}` : ''}`,
          };
        }
        if (sub === 'clear') {
          await e.token.clear();
          return { json: { token: await e.token.status() }, text: 'Token removed from the keychain.' };
        }
        if (sub === 'test') {
          const r = await e.token.test();
          return { json: { test: r }, text: r.message, code: r.ok ? 0 : 1 };
        }
        throw new UsageError('Use `token set`, `token status`, `token clear` or `token test`.');
      });
    }
    case 'lists':
      return withEngine(p, io, async (e) => {
        const lists = e.lists.list().map((l) => ({ id: l.id, name: l.name, contacts: l.contacts }));
        return {
          json: { lists },
          text: lists.length
            ? lists.map((l) => `${l.id}\t${l.name}\t${l.contacts} contacts`).join('\n')
            : 'No lists yet: import one with `smsdesk import FILE --list NAME`.',
        };
      });
    case 'import': {
      const file = rest[0];
      if (!file) throw new UsageError('Give the file to import: smsdesk import FILE --list NAME.');
      const list = need(p, 'list', 'the name of the new list');
      return withEngine(p, io, async (e) => {
        let last = 0;
        const r = await e.lists.import(
          path.resolve(file),
          {
            list,
            sheet: str(p, 'sheet'),
            phoneColumn: str(p, 'phone-column'),
            country: str(p, 'country')?.toUpperCase(),
            encoding: str(p, 'encoding'),
          },
          {
            onProgress: (pr) => {
              // the first event comes after the first read, before a row is parsed: nothing to tell yet
              if (p.flags.has('json') || pr.rows === 0 || Date.now() - last < 1000) return;
              last = Date.now();
              io.err(
                `  ${pr.rows.toLocaleString('en')} rows read${pr.totalBytes ? ` (${Math.round((pr.bytesRead / pr.totalBytes) * 100)}%)` : ''}\n`,
              );
            },
          },
        );
        const json = {
          list: r.list,
          rows: r.rows,
          valid: r.valid,
          invalid: r.invalid,
          duplicates: r.duplicates,
          suppressed: r.suppressed,
        };
        const lines = [
          `List "${r.list.name}" (id ${r.list.id}): ${r.valid} contacts from ${r.rows} rows`,
          `  invalid ${r.invalid}, duplicates ${r.duplicates}, on the opt-out list ${r.suppressed}`,
        ];
        for (const x of r.rejects.slice(0, 10))
          lines.push(`  row ${x.row}: ${x.kind} ${JSON.stringify(x.value)} (${x.reason})`);
        if (r.rejects.length > 10) lines.push(`  … and more: export them from the app to fix and re-import`);
        return { json, text: lines.join('\n') };
      });
    }
    case 'preview': {
      const text = str(p, 'text');
      if (text === undefined) throw new UsageError('Give the message: smsdesk preview --text TEXT.');
      const base = previewText(text);
      const listRef = str(p, 'list');
      if (!listRef) {
        return {
          json: {
            encoding: base.encoding,
            characters: base.characters,
            parts: base.parts,
            nonGsm: base.nonGsm,
            charsLeft: base.charsLeft,
          },
          text: `${base.encoding}, ${base.characters} characters, ${base.parts} part(s), ${base.charsLeft} left in this part${base.nonGsm.length ? `\nThese characters force Unicode (UCS-2): ${base.nonGsm.join(' ')}` : ''}`,
        };
      }
      return withEngine(p, io, async (e) => {
        const blank = blankFlag(str(p, 'blank'));
        const accents = accentFlag(str(p, 'accents'));
        const pv = e.campaigns.preview({ list: listRef, text, blank, accents });
        if (pv.unknownFields.length)
          throw Object.assign(
            new Error(
              `The message uses unknown merge field(s) ${pv.unknownFields.map((f) => `{${f}}`).join(', ')}; the list's fields are ${e.lists.get(listRef)?.fields.join(', ') || 'none'}.`,
            ),
            { code: 'UNKNOWN_FIELD' },
          );
        const json = {
          encoding: base.encoding,
          characters: base.characters,
          parts: base.parts,
          nonGsm: base.nonGsm,
          recipients: pv.recipients,
          totalParts: pv.totalParts,
          maxParts: pv.maxParts,
          cost: pv.cost,
          currency: pv.currency,
          suppressed: pv.suppressed,
          dataCheck: dataCheckJson(pv),
        };
        return {
          json,
          text: [
            `${pv.recipients} recipients, ${pv.totalParts} parts in all (at most ${pv.maxParts} per recipient), estimated cost ${pv.cost.toFixed(2)} ${pv.currency}${pv.suppressed ? `; ${pv.suppressed} skipped (opt-out list)` : ''}`,
            ...dataCheckLines(pv, blank, accents),
          ].join('\n'),
        };
      });
    }
    case 'optout': {
      const [sub, ...nums] = rest;
      return withEngine(p, io, async (e) => {
        if (sub === 'add') {
          if (!nums.length) throw new UsageError('Give the numbers: smsdesk optout add NUMBER...');
          const r = await e.optouts.add(nums, 'cli');
          return {
            json: r,
            text: `${r.added} number(s) added to the opt-out list${r.invalid.length ? `; not valid: ${r.invalid.join(', ')}` : ''}.${r.cancelled ? ' ' + cancelledSentence(r) : ''}`,
            code: r.invalid.length && !r.added ? 1 : 0,
          };
        }
        if (sub === 'remove') {
          if (!nums.length) throw new UsageError('Give the numbers: smsdesk optout remove NUMBER...');
          const r = e.optouts.remove(nums);
          return {
            json: r,
            text: `${r.removed} number(s) removed from the opt-out list.${r.restored ? ' ' + restoredSentence(r) : ''}`,
          };
        }
        if (sub === 'list') {
          const r = e.optouts.list({ offset: 0, limit: int(p, 'limit', 1) ?? 1000, search: str(p, 'search') });
          return {
            json: r,
            text: `${r.total} number(s) on the opt-out list${r.rows.length ? '\n' + r.rows.map((x) => x.msisdn).join('\n') : ''}`,
          };
        }
        if (sub === 'import') {
          if (!nums[0]) throw new UsageError('Give the file: smsdesk optout import FILE.');
          const r = await e.optouts.import(path.resolve(nums[0]), {
            country: str(p, 'country')?.toUpperCase(),
            encoding: str(p, 'encoding'),
          });
          return {
            json: r,
            text: `${r.added} number(s) added from ${r.rows} row(s); ${r.invalid} not valid.${r.cancelled ? ' ' + cancelledSentence(r) : ''}`,
          };
        }
        throw new UsageError('Use `optout add`, `optout remove`, `optout list` or `optout import`.');
      });
    }
    case 'campaign': {
      const [sub] = rest;
      if (sub === 'list') {
        return withEngine(p, io, async (e) => {
          const cs = e.campaigns.list().map(campaignJson);
          return {
            json: { campaigns: cs },
            text: cs.length
              ? cs.map((c) => `${c.id}\t${c.state}\t${c.recipients} recipients\t${c.name}`).join('\n')
              : 'No campaigns yet.',
          };
        });
      }
      if (sub !== 'create') throw new UsageError('Use `campaign create …` or `campaign list`.');
      const list = need(p, 'list', 'the list to send to');
      const from = need(p, 'from', 'the sender ID');
      const text = str(p, 'text');
      if (text === undefined) throw new UsageError('Missing --text (the message).');
      const sendAt = parseSendAt(str(p, 'send-at'));
      const schedule = str(p, 'schedule');
      if (schedule && schedule !== 'local' && schedule !== 'gateway')
        throw new UsageError(
          '--schedule is `local` (held by this app; can be cancelled) or `gateway` (held by 9bits; cannot be recalled).',
        );
      if (schedule && !sendAt) throw new UsageError('--schedule needs --send-at.');
      const blank = blankFlag(str(p, 'blank'));
      const accents = accentFlag(str(p, 'accents'));
      return withEngine(p, io, async (e) => {
        // The data check first, so a refusal names the fields, the rows and the flags that answer it.
        const pv = e.campaigns.preview({ list, text, blank, accents });
        if (!pv.templateError && pv.blankRecipients > 0 && !blank) throw blankRefusal(pv);
        let last = Date.now();
        const c = await e.campaigns.create(
          {
            list,
            from,
            text,
            name: str(p, 'name'),
            sendAt,
            schedule: schedule as 'local' | 'gateway' | undefined,
            blank,
            accents,
          },
          {
            // a big list takes seconds: a line a second, as the import prints its rows
            onProgress: (pr) => {
              if (p.flags.has('json') || Date.now() - last < 1000) return;
              last = Date.now();
              io.err(`  ${pr.contacts.toLocaleString('en')} of ${pr.of.toLocaleString('en')} contacts prepared\n`);
            },
          },
        );
        const check = dataCheckLines(pv, blank, accents);
        return {
          json: { campaign: campaignJson(c), dataCheck: dataCheckJson(pv) },
          text: `Campaign ${c.id} "${c.name}" created: ${c.recipients} recipients, ${c.parts} parts${c.suppressed ? `, ${c.suppressed} skipped (opt-out list)` : ''}. Send it with \`smsdesk send ${c.id} --wait\`.${check.length ? '\n' + check.join('\n') : ''}`,
        };
      });
    }
    case 'send':
      return withEngine(p, io, async (e) => {
        const id = campaignId(e, rest[0]);
        let s = e.campaigns.send(id);
        if (p.flags.has('wait')) {
          e.start();
          if (!p.flags.has('json')) io.err(`Sending campaign ${id}${e.sandbox ? ` (${SANDBOX_NOTICE})` : ''}…\n`);
          s = await e.waitIdle(id);
        }
        const tail = p.flags.has('wait')
          ? ''
          : `\nQueued. Keep SMS Desk open, or run \`smsdesk send ${id} --wait\`, to send it.`;
        return { json: { ...statusJson(s) }, text: statusText(s) + tail, code: s.state === 'paused' ? 1 : 0 };
      });
    case 'status':
      return withEngine(p, io, async (e) => {
        const s = e.campaigns.status(campaignId(e, rest[0]));
        return { json: { ...statusJson(s) }, text: statusText(s) };
      });
    case 'dlr': {
      const waitS = str(p, 'wait');
      const secs = waitS ? Number(waitS) : 0;
      if (!Number.isFinite(secs) || secs < 0) throw new UsageError('--wait takes a number of seconds.');
      return withEngine(p, io, async (e) => {
        const s = await e.pollReports(campaignId(e, rest[0]), { waitMs: secs * 1000 });
        // Beside the owner: what is known so far; the owner looks the reports up itself.
        const note = e.folder.owner
          ? null
          : `${e.folder.message} It checks the delivery reports itself; this is what it knows so far.`;
        return {
          json: { ...statusJson(s), ...(note ? { readOnly: true, note } : {}) },
          text: statusText(s) + (note ? `\n${note}` : ''),
        };
      });
    }
    case 'resolve': {
      const resend = p.flags.has('resend'),
        fail = p.flags.has('mark-failed');
      if (resend === fail)
        throw new UsageError('Choose one: --resend (send again to the recipients with no report) or --mark-failed.');
      return withEngine(p, io, async (e) => {
        const id = campaignId(e, rest[0]);
        // A re-send looks the undecided batches up once more first (the web and the app do too).
        if (resend) await e.pollReports(id);
        const before = e.campaigns.status(id);
        const s = e.campaigns.resolve(id, resend ? 'resend' : 'mark-failed');
        const moved = before.needsDecision - s.needsDecision;
        const still = s.counts.uncertain;
        const what =
          moved === 0
            ? 'No recipient was waiting for a decision.'
            : resend
              ? `${moved} recipient(s) are queued again; run \`smsdesk send ${id} --wait\`.`
              : `${moved} recipient(s) marked failed.`;
        const left = still
          ? ` ${still} other uncertain recipient(s) are still being checked against delivery reports; decide on them once the check ends.`
          : '';
        return { json: { ...statusJson(s), resolved: moved }, text: `${statusText(s)}\n${what}${left}` };
      });
    }
    case 'pause':
    case 'resume':
    case 'cancel':
      return withEngine(p, io, async (e) => {
        const id = campaignId(e, rest[0]);
        const s =
          cmd === 'pause'
            ? e.campaigns.pause(id)
            : cmd === 'resume'
              ? e.campaigns.resume(id)
              : await e.campaigns.cancel(id);
        return { json: { ...statusJson(s) }, text: statusText(s) };
      });
    case 'export': {
      const out = need(p, 'out', 'the file to write');
      const format = str(p, 'format') ?? (out.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
      if (format !== 'csv' && format !== 'xlsx') throw new UsageError('--format is csv or xlsx.');
      return withEngine(p, io, async (e) => {
        const r = await e.campaigns.export(campaignId(e, rest[0]), path.resolve(out), format);
        const cut = cutCellsNote(r.cutCells);
        return { json: r, text: `${r.rows} rows written to ${r.file}.${cut ? ` ${cut}` : ''}` };
      });
    }
    case 'backup':
      return backupCommand(str(p, 'data-dir') ?? defaultDataDir(io.env), p);
    case 'restore':
      return restoreCommand(str(p, 'data-dir') ?? defaultDataDir(io.env), p);
    case 'sandbox': {
      const port = int(p, 'port', 0) ?? 0;
      const sb = await startSandbox({
        host: '127.0.0.1',
        port,
        tokens: [SANDBOX_TOKEN, ...(io.env.SMSDESK_TOKEN ? [io.env.SMSDESK_TOKEN] : [])],
      });
      io.err(
        `Sandbox 9bits gateway listening at ${sb.url} (${SANDBOX_NOTICE}). Token: "${SANDBOX_TOKEN}". Stop with Ctrl+C.\n`,
      );
      io.err(`Try: SMSDESK_GATEWAY_URL=${sb.url} npx smsdesk send CAMPAIGN --wait\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await sb.close();
      return { json: { url: sb.url, stopped: true }, text: 'Sandbox stopped.' };
    }
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(cmd)}.`);
  }
}
