import type { DB } from '../db/open.ts';
import type { Template, TemplateInput } from '../api.ts';
import { UserError } from '../errors.ts';
import { checkSenderId } from '../../../shared/sms/index.ts';
import { MAX_TEMPLATE_NAME, MAX_TEMPLATE_TEXT } from '../../../shared/templates.ts';

interface Row {
  id: number;
  name: string;
  sender: string;
  text: string;
  created_at: number;
  updated_at: number;
}
const toTemplate = (r: Row): Template => ({
  id: r.id,
  name: r.name,
  sender: r.sender,
  text: r.text,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Saved messages (name, sender ID, text) the user picks in Compose instead of pasting them again. */
export function createTemplatesService(deps: { db: DB; now: () => number }) {
  const { db, now } = deps;
  const all = db.prepare<[], Row>(`SELECT * FROM templates ORDER BY name COLLATE NOCASE`);
  const byId = db.prepare<[number], Row>(`SELECT * FROM templates WHERE id = ?`);
  const byName = db.prepare<[string], Row>(`SELECT * FROM templates WHERE name = ? COLLATE NOCASE`);
  const insert = db.prepare(
    `INSERT INTO templates (name, sender, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(`UPDATE templates SET name = ?, sender = ?, text = ?, updated_at = ? WHERE id = ?`);
  const remove = db.prepare(`DELETE FROM templates WHERE id = ?`);

  function list(): Template[] {
    return all.all().map(toTemplate);
  }

  /** Creates a template, or changes one when `id` is given; a refusal leaves what is stored as it was. */
  function save(input: TemplateInput): Template {
    const name = input.name.trim().replace(/\s+/g, ' ');
    if (!name) throw new UserError('TEMPLATE_NAME', 'Give the template a name, e.g. "Saturday opening".');
    if (name.length > MAX_TEMPLATE_NAME)
      throw new UserError(
        'TEMPLATE_NAME',
        `A template name has at most ${MAX_TEMPLATE_NAME} characters; this one has ${name.length}.`,
      );
    if (!input.text.trim())
      throw new UserError('EMPTY_TEXT', 'The template has no text. Write the message first, then save it.');
    if (input.text.length > MAX_TEMPLATE_TEXT)
      throw new UserError(
        'TEMPLATE_TEXT',
        `A template holds at most ${MAX_TEMPLATE_TEXT.toLocaleString('en')} characters.`,
      );
    const sender = input.sender.trim();
    if (sender) {
      const s = checkSenderId(sender);
      if (!s.ok) throw new UserError('BAD_SENDER', s.message);
    }
    const t = now();
    return db.transaction(() => {
      const same = byName.get(name);
      if (same && same.id !== input.id)
        throw new UserError(
          'TEMPLATE_NAME_TAKEN',
          `There is already a template called "${same.name}". Choose another name, or pick that template and save over it.`,
        );
      if (input.id != null) {
        if (!byId.get(input.id))
          throw new UserError(
            'NOT_FOUND',
            'This template was deleted in the meantime. Save it again as a new template.',
          );
        update.run(name, sender, input.text, t, input.id);
        return toTemplate(byId.get(input.id)!);
      }
      const id = Number(insert.run(name, sender, input.text, t, t).lastInsertRowid);
      return toTemplate(byId.get(id)!);
    })();
  }

  function del(id: number): { deleted: boolean } {
    return { deleted: remove.run(id).changes > 0 };
  }

  return { list, save, delete: del };
}
