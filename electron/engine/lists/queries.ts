import type { DB } from '../db/open.ts';
import type { ContactRow, ListSummary, RejectRow } from '../api.ts';

interface ListRecord {
  id: number;
  name: string;
  contacts: number;
  fields: string;
  created_at: number;
  source: string | null;
  report: string | null;
}

function summary(r: ListRecord): ListSummary {
  return {
    id: r.id,
    name: r.name,
    contacts: r.contacts,
    fields: JSON.parse(r.fields) as string[],
    createdAt: r.created_at,
    source: r.source,
  };
}

export function listLists(db: DB): ListSummary[] {
  return (
    db.prepare(`SELECT * FROM lists WHERE state = 'ready' ORDER BY created_at DESC, id DESC`).all() as ListRecord[]
  ).map(summary);
}

/** By id, or by name (a name made of digits that is not a list name is tried as an id). */
export function getList(db: DB, idOrName: number | string): ListSummary | null {
  const rec = findList(db, idOrName);
  return rec ? summary(rec) : null;
}

export function findList(db: DB, idOrName: number | string): ListRecord | null {
  if (typeof idOrName === 'number') {
    return (
      (db.prepare(`SELECT * FROM lists WHERE id = ? AND state = 'ready'`).get(idOrName) as ListRecord | undefined) ??
      null
    );
  }
  const byName = db.prepare(`SELECT * FROM lists WHERE name = ? AND state = 'ready'`).get(idOrName.trim()) as
    ListRecord | undefined;
  if (byName) return byName;
  return /^\d+$/.test(idOrName.trim()) ? findList(db, Number(idOrName.trim())) : null;
}

export function listPhoneColumn(rec: ListRecord): string | null {
  if (!rec.report) return null;
  try {
    return (JSON.parse(rec.report) as { phoneColumn?: string }).phoneColumn ?? null;
  } catch {
    return null;
  }
}

export function pageOf(page: { offset: number; limit: number }): { offset: number; limit: number } {
  const offset = Math.max(0, Math.floor(Number(page.offset) || 0));
  const limit = Math.min(10_000, Math.max(0, Math.floor(Number(page.limit) || 0)));
  return { offset, limit };
}

export function listContacts(
  db: DB,
  listId: number,
  page: { offset: number; limit: number },
): { total: number; rows: ContactRow[] } {
  const { offset, limit } = pageOf(page);
  const total = db.prepare(`SELECT count(*) FROM contacts WHERE list_id = ?`).pluck().get(listId) as number;
  const rows = (
    db
      .prepare(`SELECT seq, row, msisdn, network, fields FROM contacts WHERE list_id = ? ORDER BY seq LIMIT ? OFFSET ?`)
      .all(listId, limit, offset) as Array<Omit<ContactRow, 'fields'> & { fields: string }>
  ).map((r) => ({ ...r, fields: JSON.parse(r.fields) as Record<string, string> }));
  return { total, rows };
}

export function listRejects(
  db: DB,
  listId: number,
  page: { offset: number; limit: number },
): { total: number; rows: RejectRow[] } {
  const { offset, limit } = pageOf(page);
  const total = db.prepare(`SELECT count(*) FROM import_rejects WHERE list_id = ?`).pluck().get(listId) as number;
  const rows = (
    db
      .prepare(
        `SELECT row, kind, value, reason, fields FROM import_rejects WHERE list_id = ? ORDER BY row, id LIMIT ? OFFSET ?`,
      )
      .all(listId, limit, offset) as Array<Omit<RejectRow, 'fields'> & { fields: string; value: string | null }>
  ).map((r) => ({ ...r, value: r.value ?? '', fields: JSON.parse(r.fields) as Record<string, string> }));
  return { total, rows };
}
