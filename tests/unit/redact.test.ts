import { describe, expect, it } from 'vitest';
import { carriesSecret, redact, REDACTED } from '../../electron/engine/redact.ts';
import { answerMessage } from '../../electron/engine/gateway/classify.ts';
import { parseBatchReport } from '../../electron/engine/gateway/reports.ts';

const TOKEN = 'tok-9b/Live+key"x_0123456789abcdefXYZ';

/** any 12-character slice of the token left in the text */
function slices(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 12 <= TOKEN.length; i++)
    if (text.includes(TOKEN.slice(i, i + 12))) out.push(TOKEN.slice(i, i + 12));
  return out;
}

describe('one redaction for the token in every form a server echoes it in', () => {
  const b64 = (s: string, url = false) => Buffer.from(s).toString(url ? 'base64url' : 'base64');
  const forms: Record<string, string> = {
    raw: `Failed ${TOKEN}`,
    header: `Authorization: Bearer ${TOKEN}`,
    'URL-encoded': `?t=${encodeURIComponent(TOKEN)}&x=1`,
    'URL-encoded, lower-case hex': `?t=${encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`,
    'every character URL-encoded': [...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    'double URL-encoded': encodeURIComponent(encodeURIComponent(TOKEN)),
    'JSON-escaped': JSON.stringify({ t: TOKEN }).replace(/\//g, '\\/'),
    'JSON \\u escapes': [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    base64: b64(TOKEN),
    base64url: b64(TOKEN, true),
    'base64 of "Bearer <token>"': b64(`Bearer ${TOKEN}`),
    'base64url shifted by one byte': b64(`x${TOKEN}y`, true),
    'base64 shifted by two bytes': b64(`xy${TOKEN}`),
  };
  for (const [name, text] of Object.entries(forms)) {
    it(`${name}: cut out, and recognised as carrying it`, () => {
      expect(carriesSecret(text, TOKEN)).toBe(true);
      const out = redact(text, TOKEN);
      expect(out).toContain(REDACTED);
      expect(slices(out)).toEqual([]);
      expect(out).not.toContain(b64(TOKEN).slice(4, 16));
      expect(redact(out, TOKEN), 'redacting twice changes nothing').toBe(out);
      expect(carriesSecret(out.replaceAll(REDACTED, ''), TOKEN), 'nothing left that still matches').toBe(false);
    });
  }

  it('leaves other text alone, and ignores absent secrets', () => {
    const text = 'The gateway refused the batch (HTTP 400): invalid sender ID ACME, see https://x.example/a%20b';
    expect(redact(text, TOKEN)).toBe(text);
    expect(redact(text, [null, undefined, ''])).toBe(text);
    expect(carriesSecret(text, TOKEN)).toBe(false);
  });

  it('several secrets at once (the token being set, and the one stored)', () => {
    expect(redact(`a ${TOKEN} b other-secret-42 c`, [TOKEN, 'other-secret-42'])).toBe(`a ${REDACTED} b ${REDACTED} c`);
  });

  it('redacts before clipping: a token at character 280 leaves none of its characters', () => {
    const body = JSON.stringify({ message: `${'x'.repeat(280)} ${TOKEN} and more text after it` });
    const msg = answerMessage(body, TOKEN)!;
    expect(msg.length).toBeLessThanOrEqual(300);
    expect(msg).not.toContain(TOKEN.slice(0, 6));
    expect(msg).toContain(REDACTED);
  });

  it('a report whose batch_id is the token: the reference asked for stands in; status words keep their meaning', () => {
    const r = parseBatchReport(
      { batch_id: TOKEN, statuses: [{ status: `Failed ${TOKEN}`, code: 0, count: 1, recipients: ['2348031234567'] }] },
      'ref-1',
      TOKEN,
    )!;
    expect(r).toMatchObject({ batchId: 'ref-1', refusedBatchId: true });
    expect(r.statuses[0]!.status).toBe(`Failed ${REDACTED}`);
    const ok = parseBatchReport({ batch_id: 'gw-77', statuses: [] }, 'ref-1', TOKEN)!;
    expect(ok.batchId).toBe('gw-77');
    expect(ok.refusedBatchId).toBeUndefined();
  });
});
