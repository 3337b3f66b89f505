import { useEffect, useId, useState } from 'react';
import { bareFields, compileTemplate, withFallback } from '../../../../shared/sms/index.ts';
import type { RouteOutput } from '../../api/index.ts';
import type { Draft } from '../../appState.tsx';
import { formatCost, formatCount, plural } from '../../lib/format.ts';

type Preview = RouteOutput<'campaigns.preview'>;

/** The list and fields a blank-value answer is about: the answer holds for these only. */
function blankSignature(listId: number | null, preview: Preview): string {
  return `${listId ?? ''}|${preview.blank.map((b) => b.field).join('|')}`;
}

/**
 * An answer given for other blank fields (another list, a field added to the text) is dropped,
 * so "send anyway" chosen for {Name} never silently covers a {Town} left blank later.
 */
export function useBlankAnswerGuard(preview: Preview | null, draft: Draft, setDraft: (u: Partial<Draft>) => void) {
  const stale = preview != null && draft.blank !== null && draft.blankFor !== blankSignature(draft.listId, preview);
  useEffect(() => {
    if (stale) setDraft({ blank: null, blankFor: '' });
  }, [stale, setDraft]);
}

/** What blocks a send in the data check, or null: blank values need an answer first. */
export function dataCheckBlocker(preview: Preview | null, draft: Draft): string | null {
  if (!preview || preview.blankRecipients === 0 || draft.blank !== null) return null;
  return `${plural(preview.blankRecipients, 'recipient')} ${preview.blankRecipients === 1 ? 'has' : 'have'} a blank merge value: give a fallback, leave them out, or choose to send anyway.`;
}

/**
 * The data check over the whole list, as the engine's preview found it: blank merge values
 * (with the three ways on), accents in recipients' own values (what they cost, and whether to
 * keep them) and numbers abroad (priced per country). Shown on Compose and again on Review.
 */
export function DataCheck({
  preview,
  draft,
  setDraft,
  fields,
}: {
  preview: Preview | null;
  draft: Draft;
  setDraft(u: Partial<Draft>): void;
  fields: readonly string[];
}) {
  if (!preview || preview.templateError) return null;
  return (
    <>
      <BlankCheck preview={preview} draft={draft} setDraft={setDraft} fields={fields} />
      <AccentCheck preview={preview} draft={draft} setDraft={setDraft} />
      <Destinations preview={preview} />
    </>
  );
}

function BlankCheck({
  preview,
  draft,
  setDraft,
  fields,
}: {
  preview: Preview;
  draft: Draft;
  setDraft(u: Partial<Draft>): void;
  fields: readonly string[];
}) {
  const [fallback, setFallback] = useState('Customer');
  const ids = { fallback: useId(), skip: useId(), send: useId() };
  if (preview.blank.length === 0) return null;
  const n = preview.blankRecipients;
  const names = preview.blank.map((b) => `{${b.field}}`).join(' and ');
  // What a blank row receives: every bare field empty, the rest as written.
  const bare = bareFields(draft.text, fields);
  const c = compileTemplate(draft.text, fields);
  const gap = c.ok && bare.length === preview.blank.length ? c.render({}) : null;
  const example = `{${preview.blank[0].field}|${fallback.trim() || 'Customer'}}`;
  function applyFallback() {
    let text = draft.text;
    for (const b of preview.blank) text = withFallback(text, b.field, fallback.trim() || 'Customer', fields);
    setDraft({ text, blank: null });
  }
  return (
    <div
      className={draft.blank === null ? 'warn-box' : 'info-box'}
      data-testid="blank-check"
      role="group"
      aria-label="Blank merge values"
    >
      <p>
        <strong>
          {plural(n, 'recipient')} {n === 1 ? 'has' : 'have'} no value for {names}.
        </strong>
        {gap !== null ? (
          <>
            {' '}
            They would get: <q className="mono">{gap}</q>
          </>
        ) : null}
      </p>
      <ul className="plain-list">
        {preview.blank.map((b) => (
          <li key={b.field} data-testid="blank-field">
            <strong>{`{${b.field}}`}</strong> blank for {plural(b.count, 'recipient')}: row{b.count === 1 ? '' : 's'}{' '}
            {b.rows.join(', ')}
            {b.count > b.rows.length ? ` and ${formatCount(b.count - b.rows.length)} more` : ''}
            {b.sample.length ? (
              <span className="muted">
                {' '}
                (e.g.{' '}
                {b.sample
                  .slice(0, 3)
                  .map((s) => `+${s.msisdn}`)
                  .join(', ')}
                )
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.fallback}>Fallback for them</label>
          <input id={ids.fallback} value={fallback} maxLength={60} onChange={(e) => setFallback(e.target.value)} />
        </div>
        <div className="field field-end">
          <button type="button" className="primary" onClick={applyFallback}>
            Insert {example} into the message
          </button>
        </div>
      </div>
      <fieldset className="choices">
        <legend>Or, without a fallback:</legend>
        <label className="choice">
          <input
            type="radio"
            name="blank"
            id={ids.skip}
            checked={draft.blank === 'skip'}
            onChange={() => setDraft({ blank: 'skip', blankFor: blankSignature(draft.listId, preview) })}
          />
          <span>Leave these {plural(n, 'recipient')} out of this send</span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="blank"
            id={ids.send}
            checked={draft.blank === 'send'}
            onChange={() => setDraft({ blank: 'send', blankFor: blankSignature(draft.listId, preview) })}
          />
          <span>Send to them anyway, with the gap</span>
        </label>
      </fieldset>
      {draft.blank === null ? <p className="muted">Choose one before sending.</p> : null}
    </div>
  );
}

function AccentCheck({
  preview,
  draft,
  setDraft,
}: {
  preview: Preview;
  draft: Draft;
  setDraft(u: Partial<Draft>): void;
}) {
  const a = preview.accents;
  if (a.recipients === 0) return null;
  const cost = formatCost(a.extraCost, preview.currency);
  const first = a.sample[0];
  return (
    <div className="info-box" data-testid="accent-check" role="group" aria-label="Accents in recipients' values">
      <p>
        <strong>
          {plural(a.recipients, 'recipient')} {a.recipients === 1 ? 'gets' : 'get'} Unicode (UCS-2) because of accents
          in {a.recipients === 1 ? 'their own value' : 'their own values'}
        </strong>
        {a.chars.length ? (
          <>
            {' '}
            (
            {a.chars.map((c) => (
              <mark key={c.shown} className="char">
                {c.shown}
              </mark>
            ))}
            )
          </>
        ) : null}
        {a.extraParts > 0 ? (
          <>
            :{' '}
            <span data-testid="accent-extra">
              {plural(a.extraParts, 'extra part')}, about {cost}
            </span>
            , compared with sending those values without accents. The message itself is plain GSM-7.
          </>
        ) : (
          <>, at no extra part.</>
        )}
      </p>
      {a.sample.length ? (
        <table className="grid compact">
          <thead>
            <tr>
              <th>Row</th>
              <th>Number</th>
              <th>{first?.field}</th>
              <th className="num">Parts</th>
              <th>Without accents</th>
              <th className="num">Parts</th>
            </tr>
          </thead>
          <tbody>
            {a.sample.map((s) => (
              <tr key={s.row}>
                <td>{s.row}</td>
                <td className="mono">+{s.msisdn}</td>
                <td>{s.value}</td>
                <td className="num">{s.parts}</td>
                <td>{s.plain}</td>
                <td className="num">{s.plainParts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {a.extraParts > 0 ? (
        <fieldset className="choices">
          <legend className="visually-hidden">Accents in these values</legend>
          <label className="choice">
            <input
              type="radio"
              name="accents"
              checked={draft.accents === 'keep'}
              onChange={() => setDraft({ accents: 'keep' })}
            />
            <span>Keep the accents: names as written ({cost} more)</span>
          </label>
          <label className="choice">
            <input
              type="radio"
              name="accents"
              checked={draft.accents === 'strip'}
              onChange={() => setDraft({ accents: 'strip' })}
            />
            <span>
              Send these values without accents
              {first ? (
                <>
                  {' '}
                  ({first.value} → {first.plain})
                </>
              ) : null}
              : saves {plural(a.extraParts, 'part')}
            </span>
          </label>
        </fieldset>
      ) : null}
    </div>
  );
}

function Destinations({ preview }: { preview: Preview }) {
  const d = preview.destinations;
  if (d.length === 0) return null;
  const n = d.reduce((s, x) => s + x.recipients, 0);
  const guessed = d.some((x) => x.guessed);
  return (
    <div className={guessed ? 'warn-box' : 'info-box'} data-testid="destinations">
      <p>
        <strong>
          {plural(n, 'recipient')} {n === 1 ? 'is' : 'are'} abroad
        </strong>
        :{' '}
        {d.map((x, i) => (
          <span key={x.country}>
            {i ? ', ' : ''}
            {x.country} {formatCount(x.recipients)} at {formatCost(x.pricePerPart, preview.currency)} per part
            {x.guessed ? ' (a guess)' : ''}
          </span>
        ))}
        .
      </p>
      {guessed ? (
        <p className="muted">
          Foreign SMS usually cost more than Nigerian ones. Enter the price per part your 9bits account charges for each
          country in <a href="#/settings">Settings → Price abroad</a>; until then the Nigerian price is used.
        </p>
      ) : null}
    </div>
  );
}
