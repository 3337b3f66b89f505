import { useEffect, useState } from 'react';
import { analyze, type CompiledTemplate } from '../../../../shared/sms/index.ts';
import { api, type RouteOutput } from '../../api/index.ts';
import { Section } from '../../components/ui.tsx';
import { messageOf } from '../../components/useAction.ts';
import { formatCount } from '../../lib/format.ts';

type List = RouteOutput<'lists.list'>[number];
type Contact = RouteOutput<'lists.contacts'>['rows'][number];

/**
 * The message as each recipient will get it: first the longest messages (they decide the
 * worst-case cost), longest first as the engine's preview ranked them; then the list in file order.
 */
export function RecipientPreview({
  list,
  text,
  compiled,
  longestFirst,
  onSample,
}: {
  list: List;
  text: string;
  compiled: CompiledTemplate;
  longestFirst: number[];
  onSample(f: Record<string, string> | null): void;
}) {
  const [pos, setPos] = useState(0);
  const [contact, setContact] = useState<Contact | null>(null);
  const [error, setError] = useState<string | null>(null);
  const total = list.contacts;
  const ranked = longestFirst.length;
  const positions = total + ranked;
  const offset = pos < ranked ? longestFirst[pos] - 1 : pos - ranked;

  useEffect(() => {
    setPos(0);
  }, [list.id, longestFirst]);
  useEffect(() => {
    if (total === 0) {
      setContact(null);
      onSample(null);
      return;
    }
    let live = true;
    api.lists.contacts({ listId: list.id, offset: Math.max(0, Math.min(offset, total - 1)), limit: 1 }).then(
      (p) => {
        if (!live) return;
        const c = p.rows[0] ?? null;
        setContact(c);
        setError(null);
        onSample(c ? c.fields : null);
      },
      (e) => {
        if (live) setError(messageOf(e));
      },
    );
    return () => {
      live = false;
    };
  }, [list.id, offset, total, onSample]);

  const body = compiled.ok && contact ? compiled.render(contact.fields) : null;
  const a = body != null ? analyze(body) : null;
  return (
    <Section title="Preview per recipient">
      {total === 0 ? (
        <p className="muted">This list has no contacts.</p>
      ) : (
        <>
          <div className="pager" role="group" aria-label="Page through recipients">
            <button type="button" onClick={() => setPos((p) => Math.max(0, p - 1))} disabled={pos === 0}>
              ← Previous
            </button>
            <span aria-live="polite">
              {pos < ranked
                ? pos === 0
                  ? 'Longest message'
                  : `Longest messages: ${formatCount(pos + 1)} of ${formatCount(ranked)}`
                : `Recipient ${formatCount(pos - ranked + 1)} of ${formatCount(total)}`}
            </span>
            <button
              type="button"
              onClick={() => setPos((p) => Math.min(positions - 1, p + 1))}
              disabled={pos >= positions - 1}
            >
              Next →
            </button>
          </div>
          {contact ? (
            <div className="phone-preview" data-testid="recipient-preview">
              <div className="phone-to">
                To <span className="mono">+{contact.msisdn}</span>
                {contact.network ? ` · ${contact.network}` : ''}
              </div>
              <div className="bubble">
                {body ??
                  (text ? <em>Fix the message above to see it here.</em> : <em>Write a message to see it here.</em>)}
              </div>
              {a ? (
                <div className="muted">
                  {a.characters} characters · {a.parts} {a.parts === 1 ? 'part' : 'parts'} · {a.encoding}
                </div>
              ) : null}
            </div>
          ) : null}
        </>
      )}
      {error ? (
        <p className="error-note" role="alert">
          {error}
        </p>
      ) : null}
    </Section>
  );
}
