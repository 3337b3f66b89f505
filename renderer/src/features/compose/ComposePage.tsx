import { useEffect, useId, useMemo, useRef, useState } from 'react';
import {
  analyze,
  checkSenderId,
  compileTemplate,
  fixToGsm,
  templateLanguages,
  unicodeCulprits,
} from '../../../../shared/sms/index.ts';
import { api, type RouteOutput } from '../../api/index.ts';
import { useApp } from '../../appState.tsx';
import { ErrorNote, Section, Stat } from '../../components/ui.tsx';
import { messageOf, useAction, useLoad } from '../../components/useAction.ts';
import { formatCost, formatCount, plural } from '../../lib/format.ts';
import { browserStorage, mergeFieldsOf } from '../../lib/mergeFields.ts';
import { go } from '../../route.ts';
import { Counter, Highlighted } from './Counter.tsx';
import { DataCheck, dataCheckBlocker, useBlankAnswerGuard } from './DataCheck.tsx';
import { RecipientPreview } from './RecipientPreview.tsx';
import { Templates } from './Templates.tsx';
import { useDebounced } from './useDebounced.ts';

/** stable empty ranking, so the preview does not jump back to the start on every render */
const NO_RANKING: number[] = [];

type Preview = RouteOutput<'campaigns.preview'>;

export function ComposePage() {
  const { draft, setDraft, settings, setSetting } = useApp();
  const lists = useLoad(() => api.lists.list(), []);
  const list = lists.data?.find((l) => l.id === draft.listId) ?? null;
  // Every field the list stores renders (the engine checks templates against them); the insert
  // buttons offer only the columns the user chose, not an unticked phone column.
  const fields = useMemo(() => list?.fields ?? [], [list]);
  const insertable = useMemo(() => (list ? mergeFieldsOf(browserStorage(), list) : []), [list]);
  const editor = useRef<HTMLTextAreaElement>(null);
  const ids = { list: useId(), sender: useId(), text: useId(), senders: useId(), own: useId(), senderErr: useId() };

  // Arriving without a list: the one chosen last (kept in the ledger, so a reload or a restart
  // keeps it), else the newest. Decided when the change lands: a list picked in the moment
  // between the page's data arriving and this effect running stays picked.
  const lastList = settings?.['compose.lastList'] ?? 0;
  useEffect(() => {
    if (draft.listId == null && lists.data && lists.data.length > 0 && settings) {
      const remembered = lists.data.find((l) => l.id === lastList);
      const newest = [...lists.data].sort((a, b) => b.createdAt - a.createdAt)[0];
      setDraft((d) => (d.listId == null ? { listId: (remembered ?? newest).id } : {}));
    }
  }, [lists.data, draft.listId, setDraft, lastList, settings]);
  function chooseList(id: number | null) {
    setDraft({ listId: id });
    if (id != null)
      void setSetting('compose.lastList', id).catch(() => {
        /* remembered for this session only */
      });
  }
  useEffect(() => {
    if (!draft.sender && settings?.['sender.last']) setDraft({ sender: settings['sender.last'] });
  }, [settings, draft.sender, setDraft]);

  const compiled = useMemo(() => compileTemplate(draft.text, fields), [draft.text, fields]);
  const [sampleFields, setSampleFields] = useState<Record<string, string> | null>(null);
  const rendered = compiled.ok && sampleFields ? compiled.render(sampleFields) : draft.text;
  const a = useMemo(() => analyze(rendered), [rendered]);
  const fix = useMemo(() => {
    const f = fixToGsm(draft.text);
    if (f.replaced.length === 0) return null;
    const after = compileTemplate(f.text, fields);
    const partsAfter = after.ok && sampleFields ? analyze(after.render(sampleFields)).parts : f.partsAfter;
    return { text: f.text, saves: Math.max(0, a.parts - partsAfter), replaced: f.replaced };
  }, [draft.text, fields, sampleFields, a.parts]);
  // The box judges the text the user wrote, never one recipient's merged values: an accented
  // name is the data check's business (below), with its own cost and choice.
  const own = useMemo(() => unicodeCulprits(draft.text), [draft.text]);
  const languages = useMemo(() => templateLanguages(draft.text), [draft.text]);
  const fixedChars = new Set(fix?.replaced.map((r) => r.from) ?? []);
  const unfixable = own.filter((c) => !fixedChars.has(c.shown));
  const letters = unfixable.filter((c) => c.letter);
  const symbols = unfixable.filter((c) => !c.letter);
  // In a message written in Yoruba, Hausa or Igbo its letters are the language, not a problem.
  const flagged = languages.length ? own.filter((c) => !c.letter) : own;

  // Totals over the whole list come from the engine, a moment after typing stops.
  const debounced = useDebounced(
    { listId: draft.listId, text: draft.text, blank: draft.blank, accents: draft.accents },
    350,
  );
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  useEffect(() => {
    if (debounced.listId == null || debounced.text === '') {
      setPreview(null);
      setPreviewError(null);
      return;
    }
    let live = true;
    api.campaigns
      .preview({
        list: debounced.listId,
        text: debounced.text,
        blank: debounced.blank ?? undefined,
        accents: debounced.accents,
      })
      .then(
        (p) => {
          if (live) {
            setPreview(p);
            setPreviewError(null);
          }
        },
        (e) => {
          if (live) setPreviewError(messageOf(e));
        },
      );
    return () => {
      live = false;
    };
  }, [debounced.listId, debounced.text, debounced.blank, debounced.accents]);
  useBlankAnswerGuard(preview, draft, setDraft);
  const stale =
    debounced.text !== draft.text ||
    debounced.listId !== draft.listId ||
    debounced.blank !== draft.blank ||
    debounced.accents !== draft.accents;

  const sender = checkSenderId(draft.sender);
  const unknown = !compiled.ok
    ? compiled.message
    : preview && preview.unknownFields.length
      ? `Unknown merge fields: ${preview.unknownFields.map((f) => `{${f}}`).join(', ')}.`
      : null;
  const blocker =
    list == null
      ? 'Choose a list to send to.'
      : draft.text.trim() === ''
        ? 'Write the message first.'
        : unknown
          ? unknown
          : !sender.ok
            ? sender.message
            : dataCheckBlocker(preview, draft);

  function insertField(f: string) {
    const el = editor.current;
    const token = `{${f}}`;
    const start = el?.selectionStart ?? draft.text.length;
    const end = el?.selectionEnd ?? draft.text.length;
    const next = draft.text.slice(0, start) + token + draft.text.slice(end);
    setDraft({ text: next });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  /**
   * The GSM fix goes in as an edit of the textarea, so its own undo (Ctrl+Z) brings the original
   * text back; setting the value from React would leave nothing to undo.
   */
  function applyFix(text: string) {
    const el = editor.current;
    if (el) {
      el.focus();
      el.select();
      if (document.execCommand('insertText', false, text) && el.value === text) return;
    }
    setDraft({ text });
  }

  const recent = settings?.['sender.recent'] ?? [];
  const price = settings?.['price.perPart'] ?? 0;
  const currency = preview?.currency ?? settings?.['price.currency'] ?? 'NGN';

  return (
    <div className="page">
      <h1 tabIndex={-1}>Compose</h1>
      <p className="lede">Write one message; merge fields make it personal. Parts and cost update as you type.</p>

      <Section title="To and from">
        <div className="form-row">
          <div className="field">
            <label htmlFor={ids.list}>List</label>
            <select
              id={ids.list}
              value={draft.listId ?? ''}
              onChange={(e) => chooseList(e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">
                {lists.data && lists.data.length === 0 ? 'No lists yet: import contacts first' : 'Choose a list…'}
              </option>
              {lists.data?.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name} ({plural(l.contacts, 'contact')})
                </option>
              ))}
            </select>
            {lists.data && lists.data.length === 0 ? (
              <p className="hint">
                <a href="#/import">Import a contact list</a> to send to.
              </p>
            ) : null}
            <ErrorNote error={lists.error} />
          </div>
          <div className="field">
            <label htmlFor={ids.sender}>Sender ID</label>
            <input
              id={ids.sender}
              value={draft.sender}
              list={ids.senders}
              maxLength={40}
              autoComplete="off"
              aria-invalid={draft.sender !== '' && !sender.ok}
              aria-describedby={ids.senderErr}
              onChange={(e) => setDraft({ sender: e.target.value })}
            />
            <datalist id={ids.senders}>
              {recent.map((r) => (
                <option key={r} value={r} />
              ))}
            </datalist>
            <p id={ids.senderErr} className={draft.sender !== '' && !sender.ok ? 'error-note' : 'hint'}>
              {draft.sender !== '' && !sender.ok
                ? sender.message
                : 'As registered on your 9bits portal: up to 11 letters or digits.'}
            </p>
          </div>
        </div>
      </Section>

      <Section title="Message">
        <Templates />
        {insertable.length > 0 ? (
          <div className="chips" role="group" aria-label="Insert a merge field">
            <span className="muted">Insert:</span>
            {insertable.map((f) => (
              <button type="button" key={f} className="chip" onClick={() => insertField(f)}>{`{${f}}`}</button>
            ))}
          </div>
        ) : null}
        <label htmlFor={ids.text} className="visually-hidden">
          Message text
        </label>
        <textarea
          id={ids.text}
          ref={editor}
          value={draft.text}
          rows={6}
          className="editor"
          spellCheck
          placeholder="Hello {first_name}, …"
          aria-invalid={!!unknown}
          onChange={(e) => setDraft({ text: e.target.value })}
        />
        <Counter
          a={a}
          basis={sampleFields && compiled.ok && draft.text.includes('{') ? 'for the recipient shown below' : ''}
        />
        {languages.length > 0 ? (
          <div className="info-box" data-testid="language">
            <p>
              <strong>Written in {languages.join(' and ')}.</strong> Its letters (
              {own
                .filter((c) => c.letter)
                .slice(0, 12)
                .map((c) => (
                  <mark key={c.shown} className="char">
                    {c.shown}
                  </mark>
                ))}
              ) are sent in Unicode (UCS-2): 70 characters per part instead of 160. The parts and cost below include it.
            </p>
          </div>
        ) : null}
        {flagged.length > 0 ? (
          <div className="warn-box" data-testid="nongsm">
            <p>
              <strong>
                {flagged.length === 1 ? 'This character forces' : 'These characters force'} Unicode (UCS-2)
              </strong>
              , so each part holds 70 characters instead of 160:{' '}
              {flagged.map((c) => (
                <mark key={c.shown} className="char">
                  {c.shown === '\u00a0' ? 'no-break space' : c.shown}
                  {c.count > 1 ? ` ×${c.count}` : ''}
                </mark>
              ))}
            </p>
            <Highlighted text={draft.text} chars={new Set(flagged.map((c) => c.shown))} />
            {fix ? (
              <button type="button" className="primary" onClick={() => applyFix(fix.text)}>
                Replace with GSM equivalents
                {fix.saves > 0 ? ` (saves ${fix.saves} ${fix.saves === 1 ? 'part' : 'parts'} per message)` : ''}
              </button>
            ) : null}
            {symbols.length > 0 ? (
              <p className="muted">
                {symbols.map((c) => c.shown).join(' ')} {symbols.length === 1 ? 'has' : 'have'} no GSM equivalent:
                remove {symbols.length === 1 ? 'it' : 'them'} to send as GSM-7.
              </p>
            ) : null}
            {letters.length > 0 && languages.length === 0 ? (
              <p className="muted">
                {letters.map((c) => c.shown).join(' ')} {letters.length === 1 ? 'is a letter' : 'are letters'} GSM-7
                does not have: keep {letters.length === 1 ? 'it' : 'them'} and pay Unicode parts, or write{' '}
                {letters.length === 1 ? 'it' : 'them'} without the accent.
              </p>
            ) : null}
          </div>
        ) : null}
        <ErrorNote error={unknown} />
      </Section>

      {preview && !stale && (preview.blank.length || preview.accents.recipients || preview.destinations.length) ? (
        <Section title="Data check">
          <DataCheck preview={preview} draft={draft} setDraft={setDraft} fields={fields} />
        </Section>
      ) : null}

      {list ? (
        <RecipientPreview
          list={list}
          text={draft.text}
          compiled={compiled}
          longestFirst={preview?.longestFirst ?? NO_RANKING}
          onSample={setSampleFields}
        />
      ) : null}

      <Section title="Total">
        <div className="stats" aria-busy={stale}>
          <Stat label="recipients" value={preview ? formatCount(preview.recipients) : '—'} />
          <Stat label="opted out, skipped" value={preview ? formatCount(preview.suppressed) : '—'} tone="muted" />
          <Stat
            label="SMS parts in total"
            value={<span data-testid="total-parts">{preview ? formatCount(preview.totalParts) : '—'}</span>}
          />
          <Stat
            label={`estimated cost (${formatCost(price, currency)} per part)`}
            value={<span data-testid="total-cost">{preview ? formatCost(preview.cost, currency) : '—'}</span>}
          />
        </div>
        {preview && preview.longValues > 0 ? (
          <p className="muted">
            {plural(preview.longValues, 'recipient')} need more than {preview.typicalParts}{' '}
            {preview.typicalParts === 1 ? 'part' : 'parts'} because of long merge-field values (up to {preview.maxParts}
            ).
          </p>
        ) : null}
        {preview && preview.accents.recipients > 0 && preview.accents.extraParts > 0 && !preview.accents.stripped ? (
          <p className="muted">
            {plural(preview.accents.recipients, 'recipient')} cost {plural(preview.accents.extraParts, 'more part')} (
            {formatCost(preview.accents.extraCost, currency)}) because of accents in their values: see the data check
            above.
          </p>
        ) : null}
        <ErrorNote error={previewError} />
        <div className="row-actions">
          <button
            type="button"
            className="primary"
            disabled={!!blocker || stale || !preview}
            onClick={() => go({ page: 'review' })}
          >
            Review and send…
          </button>
          {blocker ? <span className="muted">{blocker}</span> : null}
        </div>
      </Section>

      <TestSend
        ownId={ids.own}
        disabledReason={blocker}
        listId={draft.listId}
        sender={draft.sender}
        text={draft.text}
        own={settings?.['test.ownNumber'] ?? ''}
        onOwn={(v) => setSetting('test.ownNumber', v)}
      />
    </div>
  );
}

function TestSend({
  ownId,
  disabledReason,
  listId,
  sender,
  text,
  own,
  onOwn,
}: {
  ownId: string;
  disabledReason: string | null;
  listId: number | null;
  sender: string;
  text: string;
  own: string;
  onOwn(v: string): Promise<unknown>;
}) {
  const [to, setTo] = useState(own);
  useEffect(() => {
    if (own && !to) setTo(own);
  }, [own, to]);
  const act = useAction();
  const [verdict, setVerdict] = useState<{ ok: boolean; message: string } | null>(null);
  async function send() {
    setVerdict(null);
    const r = await act.run(async () => {
      if (to.trim() !== own) await onOwn(to.trim());
      return api.campaigns.testSend({ from: sender, text, to: to.trim(), list: listId ?? undefined });
    });
    if (r) setVerdict(r);
  }
  return (
    <Section title="Test on your own phone">
      <div className="form-row">
        <div className="field">
          <label htmlFor={ownId}>Your number</label>
          <input
            id={ownId}
            value={to}
            onChange={(e) => setTo(e.target.value)}
            inputMode="tel"
            autoComplete="tel"
            maxLength={20}
            placeholder="0803 123 4567"
          />
        </div>
        <div className="field field-end">
          <button
            type="button"
            disabled={!!disabledReason || act.busy || to.trim().length < 3}
            onClick={() => void send()}
          >
            {act.busy ? 'Sending test…' : 'Send a test SMS'}
          </button>
        </div>
      </div>
      <p className="hint">
        Sends one message, merged with the first recipient's fields, to this number only. It costs one message.
      </p>
      <ErrorNote error={act.error} />
      {verdict ? (
        <p role="status" className={verdict.ok ? 'ok-note' : 'error-note'}>
          {verdict.message}
        </p>
      ) : null}
    </Section>
  );
}
