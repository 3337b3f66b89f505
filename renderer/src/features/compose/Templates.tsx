import { useEffect, useId, useState } from 'react';
import { api, type RouteOutput } from '../../api/index.ts';
import { useApp } from '../../appState.tsx';
import { ErrorNote } from '../../components/ui.tsx';
import { useAction, useLoad } from '../../components/useAction.ts';
import { MAX_TEMPLATE_NAME } from '../../../../shared/templates.ts';

type Template = RouteOutput<'templates.list'>[number];

/**
 * Saved messages: pick one to fill the sender ID and the text, save the draft as a new one, save
 * changes over the one picked, rename or delete it. The template picked is remembered in the
 * ledger (compose.lastTemplate), so a reload or a restart opens with it.
 */
export function Templates() {
  const { draft, setDraft, settings, setSetting } = useApp();
  const templates = useLoad(() => api.templates.list(), []);
  const act = useAction();
  const ids = { pick: useId(), name: useId() };
  const picked = settings?.['compose.lastTemplate'] ?? 0;
  const current = templates.data?.find((t) => t.id === picked) ?? null;
  // 'new' = naming a new template; 'rename' = renaming the one picked
  const [naming, setNaming] = useState<null | 'new' | 'rename'>(null);
  const [name, setName] = useState('');
  const [note, setNote] = useState<string | null>(null);

  // A remembered template fills an empty draft when Compose opens (the draft itself wins if kept).
  useEffect(() => {
    if (current && draft.text === '') setDraft({ sender: current.sender || draft.sender, text: current.text });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current?.id]);

  async function pick(id: number) {
    setNote(null);
    setNaming(null);
    const t = templates.data?.find((x) => x.id === id) ?? null;
    await act.run(() => setSetting('compose.lastTemplate', id));
    if (t) setDraft({ sender: t.sender || draft.sender, text: t.text });
  }

  async function save(input: { id?: number; name: string }) {
    setNote(null);
    const saved = await act.run(() => api.templates.save({ ...input, sender: draft.sender, text: draft.text }));
    if (!saved) return;
    templates.setData(
      [...(templates.data ?? []).filter((t) => t.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name)),
    );
    await act.run(() => setSetting('compose.lastTemplate', saved.id));
    setNaming(null);
    setNote(input.id ? `Saved “${saved.name}”.` : `Saved as “${saved.name}”.`);
  }

  async function rename(t: Template) {
    const saved = await act.run(() => api.templates.save({ id: t.id, name, sender: t.sender, text: t.text }));
    if (!saved) return;
    templates.setData(
      (templates.data ?? []).map((x) => (x.id === saved.id ? saved : x)).sort((a, b) => a.name.localeCompare(b.name)),
    );
    setNaming(null);
    setNote(`Renamed to “${saved.name}”.`);
  }

  async function remove(t: Template) {
    if (!window.confirm(`Delete the template “${t.name}”? The message you are writing stays as it is.`)) return;
    const r = await act.run(() => api.templates.delete({ id: t.id }));
    if (!r) return;
    templates.setData((templates.data ?? []).filter((x) => x.id !== t.id));
    await act.run(() => setSetting('compose.lastTemplate', 0));
    setNote(`Deleted “${t.name}”.`);
  }

  const changed = current != null && (current.text !== draft.text || current.sender !== draft.sender);
  return (
    <div className="templates" data-testid="templates">
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.pick}>Saved message</label>
          <select
            id={ids.pick}
            value={current?.id ?? 0}
            disabled={act.busy}
            onChange={(e) => void pick(Number(e.target.value))}
          >
            <option value={0}>
              {templates.data && templates.data.length === 0 ? 'None saved yet' : 'None (write a new one)'}
            </option>
            {templates.data?.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-end inline">
          <button
            type="button"
            disabled={act.busy || draft.text.trim() === ''}
            onClick={() => {
              setNaming('new');
              setName('');
              setNote(null);
            }}
          >
            Save as new template…
          </button>
          {current ? (
            <button
              type="button"
              disabled={act.busy || !changed || draft.text.trim() === ''}
              onClick={() => void save({ id: current.id, name: current.name })}
            >
              Save changes to “{current.name}”
            </button>
          ) : null}
          {current ? (
            <button
              type="button"
              disabled={act.busy}
              onClick={() => {
                setNaming('rename');
                setName(current.name);
                setNote(null);
              }}
            >
              Rename…
            </button>
          ) : null}
          {current ? (
            <button type="button" className="danger" disabled={act.busy} onClick={() => void remove(current)}>
              Delete template
            </button>
          ) : null}
        </div>
      </div>
      {naming ? (
        <form
          className="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            void (naming === 'new' ? save({ name }) : current && rename(current));
          }}
        >
          <div className="field grow">
            <label htmlFor={ids.name}>
              {naming === 'new' ? 'Name of the new template' : `New name for “${current?.name}”`}
            </label>
            <input
              id={ids.name}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={MAX_TEMPLATE_NAME + 20}
              autoFocus
              placeholder="e.g. Saturday opening"
            />
          </div>
          <div className="field field-end inline">
            <button type="submit" className="primary" disabled={act.busy}>
              {naming === 'new' ? 'Save template' : 'Rename'}
            </button>
            <button type="button" onClick={() => setNaming(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {note ? (
        <p className="ok-note small" role="status">
          {note}
        </p>
      ) : null}
      <ErrorNote error={act.error ?? templates.error} />
    </div>
  );
}
