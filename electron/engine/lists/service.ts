import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DB } from '../db/open.ts';
import type { Engine, ImportOptions, ImportProgress, ImportReport, RawContactRow } from '../api.ts';
import { ImportError, baseName } from '../../../shared/import/index.ts';
import { isKnownCountry } from '../../../shared/phone/index.ts';
import { readContactFile, cancelledError } from '../import/readFile.ts';
import { deleteListYielding } from './cleanup.ts';
import { preparingFrom } from '../campaigns/preparing.ts';
import { UserError } from '../errors.ts';
import { exportRejects } from './export.ts';
import { createOptouts, type OptoutsList } from './optouts.ts';
import { findList, getList, listContacts, listLists, listRejects } from './queries.ts';
import { STORE_CHUNK, assertNameFree, createImportSession, type ImportSession } from './session.ts';

export interface ListsServiceDeps {
  db: DB;
  settings: { get(key: 'phone.defaultCountry'): string };
  now?: () => number;
}

/** The opt-out list itself; the engine adds, on top, the cancel of queued messages to its numbers (campaigns/optedOut.ts). */
export type ListsService = Pick<Engine, 'lists' | 'imports'> & { optouts: OptoutsList };

/** Lists, imports (from a file, or fed by the renderer) and opt-outs over one connection. */
export function createListsService(deps: ListsServiceDeps): ListsService {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const defaultCountry = () => {
    const c = deps.settings.get('phone.defaultCountry');
    return typeof c === 'string' && /^[A-Z]{2}$/.test(c) ? c : 'NG';
  };
  /** the country a caller asked for, checked, or the setting */
  const countryOf = (requested: string | undefined, fileName?: string): string => {
    if (requested === undefined || requested.trim() === '') return defaultCountry();
    const cc = requested.trim().toUpperCase();
    if (!isKnownCountry(cc)) {
      throw new ImportError(
        'IMPORT_BAD_COUNTRY',
        `${fileName ? `${fileName} was not imported: ` : ''}"${requested}" is not a country code SMS Desk knows, so use two letters such as NG or GB.`,
      );
    }
    return cc;
  };
  const sessions = new Map<string, ImportSession>();
  const optouts = createOptouts(db, defaultCountry, now, (c, f) => countryOf(c, f));

  async function importFile(
    file: string,
    opts: ImportOptions,
    ctl: { signal?: AbortSignal; onProgress?(p: ImportProgress): void } = {},
  ): Promise<ImportReport> {
    const fileName = baseName(file);
    const listName = String(opts.list ?? '').trim();
    assertNameFree(db, listName, fileName); // before reading a byte
    const country = countryOf(opts.country, fileName);
    let session = null as ImportSession | null;
    let sheet: string | null = null;
    let pending: RawContactRow[] = [];
    let lastProgress = { rows: 0, bytesRead: 0, totalBytes: 0 };
    let expected = false;
    const flush = () => {
      if (!pending.length) return;
      session!.add(pending);
      pending = [];
    };
    // One read (64 KB, ~2,000 rows) stored in slices with the event loop free between them: the
    // send loop in the same process never waits for more than one slice.
    const storeSlices = async () => {
      let from = 0;
      while (pending.length - from >= STORE_CHUNK) {
        session!.add(pending.slice(from, from + STORE_CHUNK));
        from += STORE_CHUNK;
        await yieldToLoop();
        if (ctl.signal?.aborted) break; // readContactFile throws the cancel right after
      }
      pending = from === 0 ? pending : pending.slice(from);
    };
    try {
      await readContactFile(file, {
        encoding: opts.encoding,
        sheet: opts.sheet,
        headerRow: opts.headerRow,
        phoneColumn: opts.phoneColumn,
        defaultCountry: country,
        signal: ctl.signal,
        onSheet: (s) => {
          sheet = s;
        },
        onPlan: (p) => {
          session = createImportSession(
            db,
            {
              list: listName,
              fields: p.fields,
              phoneColumn: p.phoneColumn,
              country,
              source: path.basename(file),
              sheet,
              headerRow: p.headerRow,
              fileName,
            },
            now,
          );
        },
        onRows: (rows) => {
          for (const r of rows) pending.push(r);
        },
        afterRows: storeSlices,
        onProgress: (p) => {
          // once, after the first read: the file's size and its first rows tell how many rows to expect
          if (session && !expected && p.rows > 0 && p.bytesRead > 0) {
            expected = true;
            session.expectRows(p.rows * Math.max(1, p.totalBytes / p.bytesRead));
          }
          lastProgress = p;
          ctl.onProgress?.({ phase: session ? 'storing' : 'reading', ...p });
        },
      });
      if (ctl.signal?.aborted) throw cancelledError(fileName);
      flush();
      const report = session!.commit();
      ctl.onProgress?.({ phase: 'done', ...lastProgress, rows: report.rows });
      return report;
    } catch (e) {
      await session?.cancel().catch(() => undefined); // the error that stopped the import is the one to tell
      throw e;
    }
  }

  const lists: ListsService['lists'] = {
    list: () => listLists(db),
    get: (idOrName) => getList(db, idOrName),
    import: importFile,
    async delete(id) {
      if (!findList(db, id))
        throw new ImportError('LIST_NOT_FOUND', `There is no list with id ${id}: choose a list from "smsdesk lists".`);
      const preparing = preparingFrom(db, id);
      if (preparing)
        throw new UserError(
          'LIST_IN_USE',
          `The campaign ${JSON.stringify(preparing)} is being prepared from this list: delete the list once it is ready.`,
        );
      await deleteListYielding(db, id);
    },
    contacts: (listId, page) => listContacts(db, listId, page),
    rejects: (listId, page) => listRejects(db, listId, page),
    exportRejects: (listId, file, format) => exportRejects(db, listId, file, format),
  };

  const imports: ListsService['imports'] = {
    begin(opts) {
      const session = createImportSession(
        db,
        {
          list: String(opts.list ?? ''),
          fields: opts.fields,
          phoneColumn: opts.phoneColumn,
          country: countryOf(opts.country),
          source: opts.source ?? null,
          sheet: opts.sheet ?? null,
          headerRow: opts.headerRow ?? 1,
        },
        now,
      );
      const importId = randomUUID();
      sessions.set(importId, session);
      return { importId };
    },
    add(importId, rows) {
      return sessionOf(importId).add(rows);
    },
    commit(importId) {
      const s = sessionOf(importId);
      sessions.delete(importId);
      return s.commit();
    },
    async cancel(importId) {
      const s = sessions.get(importId);
      sessions.delete(importId);
      await s?.cancel();
    },
  };

  function sessionOf(importId: string): ImportSession {
    const s = sessions.get(importId);
    if (!s)
      throw new ImportError(
        'IMPORT_NOT_FOUND',
        'That import is no longer running (it finished or was cancelled): start the import again.',
      );
    return s;
  }

  return { lists, imports, optouts };
}
