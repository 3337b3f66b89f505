import type { SmsAnalysis } from '../../../../shared/sms/index.ts';
import { formatCount } from '../../lib/format.ts';

export function Counter({ a, basis }: { a: SmsAnalysis; basis: string }) {
  return (
    <div className="counter" aria-live="polite" data-testid="counter">
      <span>
        <strong data-testid="count-chars">{formatCount(a.characters)}</strong> characters
      </span>
      <span>
        <strong data-testid="count-parts">{a.parts}</strong> {a.parts === 1 ? 'part' : 'parts'}
      </span>
      <span className={a.encoding === 'UCS-2' ? 'enc enc-ucs2' : 'enc'} data-testid="count-encoding">
        {a.encoding}
      </span>
      <span>
        <strong>{a.charsLeft}</strong> left in this part ({a.perPart} per part)
      </span>
      <span className="muted">{basis}</span>
    </div>
  );
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The message with every character that forces Unicode marked, so the user can find it. Marked
 * by grapheme (chars holds NFC forms), so a tone mark is highlighted with its letter, not alone.
 */
export function Highlighted({ text, chars }: { text: string; chars: Set<string> }) {
  const out: Array<string | { c: string; k: number }> = [];
  let buf = '';
  let k = 0;
  for (const { segment: ch } of graphemes.segment(text)) {
    if (chars.has(ch.normalize('NFC'))) {
      if (buf) {
        out.push(buf);
        buf = '';
      }
      out.push({ c: ch, k: k++ });
    } else buf += ch;
  }
  if (buf) out.push(buf);
  return (
    <div className="highlighted" aria-label="Message with the characters that force Unicode marked">
      {out.map((p, i) =>
        typeof p === 'string' ? (
          <span key={i}>{p}</span>
        ) : (
          <mark key={i} title="Forces Unicode (UCS-2)">
            {p.c === ' ' ? '⍽' : p.c}
          </mark>
        ),
      )}
    </div>
  );
}
