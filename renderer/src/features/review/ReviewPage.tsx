import { useEffect, useId, useState } from 'react';
import { checkSendAt, localZoneText, readSendAt } from '../../../../shared/schedule.ts';
import { checkSenderId } from '../../../../shared/sms/index.ts';
import { api, onEvent, type RouteOutput } from '../../api/index.ts';
import { useApp } from '../../appState.tsx';
import { ErrorNote, Section } from '../../components/ui.tsx';
import { useAction, useLoad } from '../../components/useAction.ts';
import { formatCost, formatCount, formatDateTime, plural, toLocalInput } from '../../lib/format.ts';
import { nextMorning, quietHoursWarning } from '../../lib/quietHours.ts';
import { go } from '../../route.ts';
import { DataCheck, dataCheckBlocker, useBlankAnswerGuard } from '../compose/DataCheck.tsx';

type Preview = RouteOutput<'campaigns.preview'>;

export function ReviewPage() {
  const { draft, setDraft, sandbox, settings, setSetting } = useApp();
  const ids = {
    when: useId(),
    zone: useId(),
    now: useId(),
    later: useId(),
    local: useId(),
    gateway: useId(),
    name: useId(),
  };
  const lists = useLoad(() => api.lists.list(), []);
  const list = lists.data?.find((l) => l.id === draft.listId) ?? null;
  const [preview, setPreview] = useState<Preview | null>(null);
  const load = useAction();
  const send = useAction();
  const [later, setLater] = useState(draft.sendAt != null);
  const [name, setName] = useState('');
  const [now, setNow] = useState(() => Date.now());
  // what the date picker holds when it is not a time that exists (the night the clocks go forward)
  const [whenError, setWhenError] = useState<string | null>(null);

  useEffect(() => {
    if (draft.listId == null || !draft.text) return;
    void load.run(async () =>
      setPreview(
        await api.campaigns.preview({
          list: draft.listId!,
          text: draft.text,
          blank: draft.blank ?? undefined,
          accents: draft.accents,
        }),
      ),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft.listId, draft.text, draft.blank, draft.accents]);
  useBlankAnswerGuard(preview, draft, setDraft);
  // A big list takes seconds to turn into messages: the engine says how far it has come.
  const [preparing, setPreparing] = useState<{ contacts: number; of: number } | null>(null);
  useEffect(() => {
    setPreparing(null);
    if (send.busy) return onEvent('campaign-preparing', setPreparing);
  }, [send.busy]);
  // The quiet-hours warning follows the clock while the page is open.
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);

  if (draft.listId == null || !draft.text.trim()) {
    return (
      <div className="page">
        <h1 tabIndex={-1}>Review and send</h1>
        <p>
          Nothing to review yet. <a href="#/compose">Compose a message</a> first.
        </p>
      </div>
    );
  }

  const sendAt = later ? draft.sendAt : null;
  const quiet = quietHoursWarning(sendAt, now);
  const sender = checkSenderId(draft.sender);
  // the same rule the engine applies when the campaign is created (shared/schedule.ts)
  const when = later && sendAt != null ? checkSendAt(sendAt, now, formatDateTime) : null;
  const blocker = !sender.ok
    ? sender.message
    : preview && preview.unknownFields.length
      ? `Unknown merge fields: ${preview.unknownFields.map((f) => `{${f}}`).join(', ')}. Go back and fix the message.`
      : dataCheckBlocker(preview, draft)
        ? dataCheckBlocker(preview, draft)
        : preview && preview.recipients === 0
          ? 'This list has no one left to send to (every contact opted out, invalid or left out).'
          : later && whenError
            ? whenError
            : later && sendAt == null
              ? 'Choose the date and time to send.'
              : when && !when.ok
                ? when.message
                : null;

  async function go_() {
    const created = await send.run(async () => {
      const c = await api.campaigns.create({
        list: draft.listId!,
        from: draft.sender,
        text: draft.text,
        blank: draft.blank ?? undefined,
        accents: draft.accents,
        name: name.trim() || undefined,
        sendAt: sendAt ?? undefined,
        schedule: sendAt != null ? draft.schedule : undefined,
      });
      await api.campaigns.send({ id: c.id });
      // Remember the sender for next time; a failure here must not hide that the campaign started.
      const recent = [draft.sender, ...(settings?.['sender.recent'] ?? []).filter((s) => s !== draft.sender)].slice(
        0,
        20,
      );
      await Promise.all([setSetting('sender.last', draft.sender), setSetting('sender.recent', recent)]).catch(
        () => undefined,
      );
      return c;
    });
    if (created) {
      setDraft({ text: '', sendAt: null, blank: null, blankFor: '', accents: 'keep' });
      go({ page: 'campaign', id: created.id });
    }
  }

  const currency = preview?.currency ?? 'NGN';
  const action = sandbox
    ? later
      ? 'Schedule in the sandbox'
      : 'Send now in the sandbox'
    : later
      ? 'Schedule'
      : 'Send now';
  return (
    <div className="page">
      <h1 tabIndex={-1}>Review and send</h1>
      <p className="lede">Check this summary before sending. It is what a manager signs off.</p>

      <Section title="Summary">
        <dl className="summary" data-testid="review-summary">
          <dt>Mode</dt>
          <dd>
            {sandbox ? (
              <span className="badge badge-sandbox">Sandbox — nothing is really sent</span>
            ) : (
              <span className="badge badge-live">LIVE — real SMS, billed to your 9bits account</span>
            )}
          </dd>
          <dt>List</dt>
          <dd>{list ? `${list.name} (${plural(list.contacts, 'contact')})` : '…'}</dd>
          <dt>Recipients</dt>
          <dd data-testid="review-recipients">{preview ? formatCount(preview.recipients) : '…'}</dd>
          <dt>Skipped (opted out)</dt>
          <dd>{preview ? formatCount(preview.suppressed) : '…'}</dd>
          {preview && preview.blankRecipients > 0 ? (
            <>
              <dt>Blank merge values</dt>
              <dd data-testid="review-blank">
                {plural(preview.blankRecipients, 'recipient')}:{' '}
                {draft.blank === 'skip'
                  ? 'left out'
                  : draft.blank === 'send'
                    ? 'sent with the gap, as you chose'
                    : 'not decided yet (see the data check below)'}
              </dd>
            </>
          ) : null}
          {preview && preview.destinations.length > 0 ? (
            <>
              <dt>Abroad</dt>
              <dd data-testid="review-foreign">
                {plural(
                  preview.destinations.reduce((s, d) => s + d.recipients, 0),
                  'recipient',
                )}{' '}
                ({preview.destinations.map((d) => `${d.country} ${formatCount(d.recipients)}`).join(', ')})
                {preview.destinations.some((d) => d.guessed) ? ', priced as a guess' : ''}
              </dd>
            </>
          ) : null}
          {preview && preview.accents.recipients > 0 ? (
            <>
              <dt>Accented values</dt>
              <dd>
                {plural(preview.accents.recipients, 'recipient')}:{' '}
                {preview.accents.stripped
                  ? `sent without accents (saves ${plural(preview.accents.extraParts, 'part')})`
                  : `kept as written (${plural(preview.accents.extraParts, 'extra part')}, ${formatCost(preview.accents.extraCost, preview.currency)})`}
              </dd>
            </>
          ) : null}
          {preview && preview.languages.length > 0 ? (
            <>
              <dt>Language</dt>
              <dd>{preview.languages.join(' and ')}: sent in Unicode (UCS-2), included in the cost</dd>
            </>
          ) : null}
          <dt>SMS parts</dt>
          <dd>
            {preview
              ? `${formatCount(preview.totalParts)} (${preview.encoding}${preview.maxParts > 1 ? `, up to ${preview.maxParts} per recipient` : ', 1 per recipient'})`
              : '…'}
          </dd>
          <dt>Estimated cost</dt>
          <dd>
            {sandbox ? (
              // the sandbox bills nothing: the figure is what the same campaign would cost live
              <>
                <strong>Nothing: the sandbox is free.</strong>{' '}
                <span className="muted">
                  Sent live, it would cost about{' '}
                  <span data-testid="review-cost">{preview ? formatCost(preview.cost, currency) : '…'}</span>.
                </span>
              </>
            ) : (
              <strong data-testid="review-cost">{preview ? formatCost(preview.cost, currency) : '…'}</strong>
            )}
          </dd>
          <dt>Sender ID</dt>
          <dd className="mono">{draft.sender || '—'}</dd>
          <dt>When</dt>
          <dd>
            {sendAt == null
              ? 'Now'
              : `${formatDateTime(sendAt)} (${draft.schedule === 'gateway' ? 'held by the gateway' : 'held by SMS Desk'})`}
          </dd>
          <dt>Message</dt>
          <dd>
            <div className="bubble bubble-wide">{draft.text}</div>
            {preview?.longest && preview.longest.text !== draft.text ? (
              <>
                <p className="muted">
                  The longest, as +{preview.longest.msisdn} will get it ({preview.longest.parts}{' '}
                  {preview.longest.parts === 1 ? 'part' : 'parts'}):
                </p>
                <div className="bubble bubble-wide">{preview.longest.text}</div>
              </>
            ) : null}
          </dd>
        </dl>
        <ErrorNote error={load.error} />
      </Section>

      {preview && (preview.blank.length || preview.accents.recipients || preview.destinations.length) ? (
        <Section title="Data check">
          <DataCheck preview={preview} draft={draft} setDraft={setDraft} fields={list?.fields ?? []} />
        </Section>
      ) : null}

      <Section title="When">
        <fieldset className="choices">
          <legend className="visually-hidden">When to send</legend>
          <label className="choice">
            <input type="radio" name="when" id={ids.now} checked={!later} onChange={() => setLater(false)} /> Send now
          </label>
          <label className="choice">
            <input
              type="radio"
              name="when"
              id={ids.later}
              checked={later}
              onChange={() => {
                setLater(true);
                if (draft.sendAt == null) {
                  setWhenError(null);
                  setDraft({ sendAt: nextMorning(Date.now()) + 60 * 60_000 });
                }
              }}
            />{' '}
            Schedule for later
          </label>
        </fieldset>
        {later ? (
          <>
            <div className="field">
              <label htmlFor={ids.when}>Date and time</label>
              <input
                id={ids.when}
                type="datetime-local"
                value={draft.sendAt ? toLocalInput(draft.sendAt) : ''}
                aria-describedby={ids.zone}
                onChange={(e) => {
                  const r = e.target.value ? readSendAt(e.target.value, 'local') : null;
                  setWhenError(r && !r.ok ? r.message : null);
                  setDraft({ sendAt: r?.ok ? r.at : null });
                }}
              />
              <p className="hint" id={ids.zone} data-testid="send-at-zone">
                In this computer's time zone ({localZoneText(draft.sendAt ?? now)}).
              </p>
            </div>
            <fieldset className="choices">
              <legend>Who holds the messages until then</legend>
              <label className="choice">
                <input
                  type="radio"
                  name="mode"
                  checked={draft.schedule === 'local'}
                  onChange={() => setDraft({ schedule: 'local' })}
                />
                <span>
                  <strong>SMS Desk</strong>: you can still pause or cancel, but this computer must be on with SMS Desk
                  open at that time.
                </span>
              </label>
              <label className="choice">
                <input
                  type="radio"
                  name="mode"
                  checked={draft.schedule === 'gateway'}
                  onChange={() => setDraft({ schedule: 'gateway' })}
                />
                <span>
                  <strong>The 9bits gateway</strong>: handed over now and sent even if this computer is off, but it can
                  no longer be paused or cancelled from here.
                </span>
              </label>
            </fieldset>
          </>
        ) : null}
        {quiet ? (
          <div className="warn-box" role="alert" data-testid="quiet-hours">
            <p>{quiet}</p>
            <button
              type="button"
              onClick={() => {
                setLater(true);
                setWhenError(null);
                setDraft({ sendAt: nextMorning(Date.now()) });
              }}
            >
              Schedule for {formatDateTime(nextMorning(now))}
            </button>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.name}>Campaign name (optional)</label>
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={200}
            placeholder={list ? `${list.name}, ${formatDateTime(now)}` : ''}
          />
        </div>
        <div className="row-actions">
          <a href="#/compose" className="button">
            ← Back to the message
          </a>
          <button
            type="button"
            className={sandbox ? 'primary' : 'primary live'}
            disabled={!!blocker || !preview || send.busy}
            onClick={() => void go_()}
          >
            {send.busy
              ? preparing
                ? 'Preparing…'
                : 'Starting…'
              : `${action}${preview ? ` to ${formatCount(preview.recipients)}` : ''}`}
          </button>
        </div>
        {send.busy && preparing ? (
          <p role="status" className="muted" data-testid="preparing">
            Preparing the messages: {formatCount(preparing.contacts)} of {formatCount(preparing.of)} contacts read. Any
            campaign already sending goes on meanwhile.
          </p>
        ) : null}
        {blocker ? <p className="muted">{blocker}</p> : null}
        <ErrorNote error={send.error} />
      </Section>
    </div>
  );
}
