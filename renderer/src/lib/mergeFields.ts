/**
 * Which of a list's fields to offer as merge fields. The engine stores the phone column among a
 * list's fields whether or not the user ticked it at import (it keeps the raw cell for exports and
 * rejected rows), and the list record does not say which it was. So the Import page remembers the
 * choice per list here, and Compose leaves {phone} off its insert buttons when it was not ticked.
 * Typing it still works: the engine has the cell and renders it. Lists imported elsewhere (CLI)
 * have no entry and show every field, as the CLI makes every column a field.
 */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = 'smsdesk.unpickedPhone';
/** entries kept; older lists fall back to showing every field */
const MAX_ENTRIES = 500;

interface Entry {
  id: number;
  name: string;
  phoneColumn: string;
}

function read(storage: StorageLike | null): Entry[] {
  try {
    const raw = JSON.parse(storage?.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(raw)
      ? raw.filter(
          (e): e is Entry =>
            !!e && typeof e.id === 'number' && typeof e.name === 'string' && typeof e.phoneColumn === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

/** After an import from the page: remember the phone column when it was not ticked as a merge field. */
export function rememberPhoneChoice(
  storage: StorageLike | null,
  list: { id: number; name: string },
  phoneColumn: string,
  ticked: boolean,
): void {
  const rest = read(storage).filter((e) => e.id !== list.id);
  const next = ticked ? rest : [...rest, { id: list.id, name: list.name, phoneColumn }];
  try {
    storage?.setItem(KEY, JSON.stringify(next.slice(-MAX_ENTRIES)));
  } catch {
    /* storage off: every field is offered */
  }
}

/** The list's fields the user chose as merge fields (id and name must match: ids can be reused after a delete). */
export function mergeFieldsOf(
  storage: StorageLike | null,
  list: { id: number; name: string; fields: string[] },
): string[] {
  const hit = read(storage).find((e) => e.id === list.id && e.name === list.name);
  return hit ? list.fields.filter((f) => f !== hit.phoneColumn) : list.fields;
}

export function browserStorage(): StorageLike | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
