import type { EngineLike } from './engine-like.ts';
import { MAX_TEMPLATES } from '../../shared/ipc/schemas.ts';
import type { HandlerDeps, RouteImpls } from './types.ts';
import type { ExportResult } from '../../shared/exports.ts';

/** One function per route of shared/ipc/contract.ts; inputs arrive parsed, outputs are checked by the caller. */
export function routeImpls(engine: EngineLike, deps: HandlerDeps): RouteImpls {
  async function exportTo(
    suggested: string,
    format: 'csv' | 'xlsx',
    write: (file: string) => Promise<ExportResult> | ExportResult,
  ) {
    const name = `${suggested}.${format}`;
    const file = await deps.files.savePath(name, format);
    if (!file) return { saved: false, rows: 0, cutCells: 0, name, path: null, downloadUrl: null };
    let res: ExportResult;
    try {
      res = await write(file);
    } catch (err) {
      deps.files.discard?.(file);
      throw err;
    }
    const where = await deps.files.deliver(res.file, name);
    return { saved: true, rows: res.rows, cutCells: res.cutCells, name, ...where };
  }

  return {
    'app.info': () => ({
      version: deps.version,
      sandbox: engine.sandbox,
      dataDir: engine.dataDir,
      platform: deps.platform,
      mode: deps.mode,
    }),

    'settings.all': () => engine.settings.all(),
    'settings.set': async ({ key, value }) => {
      await engine.settings.set(key, value);
      return engine.settings.all();
    },

    'token.status': () => engine.token.status(),
    'token.set': async ({ token }) => {
      await engine.token.set(token);
      return engine.token.status();
    },
    'token.clear': async () => {
      await engine.token.clear();
      return engine.token.status();
    },
    'token.test': () => engine.token.test(),

    'lists.list': () => engine.lists.list(),
    'lists.get': ({ id }) => engine.lists.get(id),
    'lists.delete': async ({ id }) => {
      await engine.lists.delete(id);
      return null;
    },
    'lists.contacts': ({ listId, offset, limit }) => engine.lists.contacts(listId, { offset, limit }),
    'lists.rejects': ({ listId, offset, limit }) => engine.lists.rejects(listId, { offset, limit }),
    'lists.exportRejects': async ({ listId, format }) => {
      const list = await engine.lists.get(listId);
      if (!list) throw notFound(`There is no list ${listId}: it may have been deleted.`);
      return exportTo(`${safeName(list.name)}-rejected`, format, (file) =>
        engine.lists.exportRejects(listId, file, format),
      );
    },

    'imports.begin': (input) => engine.imports.begin(input),
    'imports.add': ({ importId, rows }) => engine.imports.add(importId, rows),
    'imports.commit': ({ importId }) => engine.imports.commit(importId),
    'imports.cancel': async ({ importId }) => {
      await engine.imports.cancel(importId);
      return null;
    },

    'optouts.list': (page) => engine.optouts.list(page),
    'optouts.add': ({ numbers, source }) => engine.optouts.add(numbers, source),
    'optouts.remove': ({ numbers }) => engine.optouts.remove(numbers),
    'templates.list': async () => (await engine.templates.list()).slice(0, MAX_TEMPLATES),
    'templates.save': (input) => engine.templates.save(input),
    'templates.delete': ({ id }) => engine.templates.delete(id),

    'campaigns.create': (input) => engine.campaigns.create(input),
    'campaigns.list': () => engine.campaigns.list(),
    'campaigns.get': ({ id }) => engine.campaigns.get(id),
    'campaigns.status': ({ id }) => engine.campaigns.status(id),
    'campaigns.active': () => engine.campaigns.active(),
    'campaigns.networks': ({ id }) => engine.campaigns.networks(id),
    'campaigns.retryNow': ({ id }) => engine.campaigns.retryNow(id),
    'campaigns.send': ({ id }) => engine.campaigns.send(id),
    'campaigns.pause': ({ id }) => engine.campaigns.pause(id),
    'campaigns.resume': ({ id }) => engine.campaigns.resume(id),
    'campaigns.cancel': ({ id }) => engine.campaigns.cancel(id),
    'campaigns.uncertain': async ({ id, offset, limit }) => {
      const u = await engine.campaigns.uncertain(id, { offset, limit });
      return { ...u, causes: u.causes.slice(0, 100) };
    },
    'campaigns.resolve': async ({ id, decision }) => {
      // A re-send round looks every undecided batch up once more first: one the gateway has
      // recorded since is settled by its report and not sent again.
      if (decision === 'resend') await engine.pollReports(id);
      return engine.campaigns.resolve(id, decision);
    },
    'campaigns.resendFailed': ({ id }) => engine.campaigns.resendFailed(id),
    'campaigns.preview': (input) => engine.campaigns.preview(input),
    'campaigns.messages': ({ id, ...page }) => engine.campaigns.messages(id, page),
    'campaigns.export': async ({ id, format }) => {
      const c = await engine.campaigns.get(id);
      if (!c) throw notFound(`There is no campaign ${id}: it may have been deleted.`);
      return exportTo(`${safeName(c.name || `campaign-${id}`)}-results`, format, (file) =>
        engine.campaigns.export(id, file, format),
      );
    },
    'campaigns.chart': ({ id }) => engine.campaigns.chart(id),
    'campaigns.testSend': (input) => engine.campaigns.testSend(input),
  };
}

function notFound(message: string): Error {
  return Object.assign(new Error(message), { code: 'NOT_FOUND' });
}

/** a file name the user will recognise, safe on every OS */
export function safeName(name: string): string {
  const cleaned = name
    .replace(/[\\/:*?"<>|\x00-\x1f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
  return cleaned.replace(/^\.+/, '') || 'export';
}
