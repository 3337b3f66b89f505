/** The checks a 9bits-like gateway makes on a send request, each with the sentence it answers. */
export interface ValidSend {
  from: string;
  to: string[];
  text: string;
  sendAt: string | null;
  clientRef: string | null;
}

export const MAX_RECIPIENTS = 10_000;

export function validateSend(json: unknown): { ok: true; value: ValidSend } | { ok: false; message: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, message: 'Request body must be a JSON object.' };
  const b = json as Record<string, unknown>;

  const from = typeof b.from === 'string' ? b.from.trim() : '';
  if (!from) return { ok: false, message: 'Sender ID (from) is required.' };
  if (/^\d+$/.test(from)) {
    if (from.length > 15)
      return { ok: false, message: 'Invalid sender ID: a numeric sender ID has at most 15 digits.' };
  } else if (!/^[A-Za-z0-9 ]{1,11}$/.test(from)) {
    return { ok: false, message: 'Invalid sender ID: use 1 to 11 letters or digits (spaces allowed).' };
  }

  if (!Array.isArray(b.to) || b.to.length === 0)
    return { ok: false, message: 'Recipients (to) must be a non-empty array of numbers.' };
  if (b.to.length > MAX_RECIPIENTS)
    return { ok: false, message: `Too many recipients in one request: at most ${MAX_RECIPIENTS} numbers.` };
  const bad = b.to.filter((n) => typeof n !== 'string' || !/^\d{7,15}$/.test(n));
  if (bad.length) {
    const shown = bad
      .slice(0, 5)
      .map((n) => JSON.stringify(n))
      .join(', ');
    return {
      ok: false,
      message: `Invalid recipient number(s): ${shown}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}. Use digits only, country code first, no +.`,
    };
  }

  const body =
    typeof b.body === 'string' && b.body !== ''
      ? b.body
      : typeof b.content === 'string' && b.content !== ''
        ? b.content
        : null;
  if (body === null) return { ok: false, message: 'Message body is required (field body or content).' };

  if (b.delivery_report !== undefined && b.delivery_report !== 'none' && b.delivery_report !== 'yes') {
    return { ok: false, message: 'Field delivery_report must be "none" or "yes".' };
  }

  let sendAt: string | null = null;
  if (b.send_at !== undefined && b.send_at !== null) {
    if (typeof b.send_at !== 'string' || Number.isNaN(Date.parse(b.send_at)))
      return { ok: false, message: 'Field send_at must be an ISO 8601 date and time.' };
    sendAt = b.send_at;
  }

  let clientRef: string | null = null;
  if (b.reference_id !== undefined && b.reference_id !== null) {
    if (typeof b.reference_id !== 'string' || !b.reference_id.trim() || b.reference_id.length > 100) {
      return { ok: false, message: 'Field reference_id must be a non-empty string of at most 100 characters.' };
    }
    clientRef = b.reference_id;
  }
  return { ok: true, value: { from, to: b.to as string[], text: body, sendAt, clientRef } };
}
