import type { z } from 'zod';
import type { ApiErrorShape } from '../../shared/ipc/contract.ts';
import { redact } from '../engine/redact.ts';
import { BUG_ERROR_NAMES } from '../engine/errors.ts';

const MAX_MESSAGE = 1000;
const CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

/** One sentence per input problem, naming the field but never quoting the value (it may be the token). */
export function badInput(route: string, error: z.ZodError): ApiErrorShape {
  const issue = error.issues[0];
  if (!issue) return { code: 'BAD_INPUT', message: `The request for ${route} is malformed.` };
  const where = issue.path.length ? issue.path.join('.') : '';
  const msg = issue.message.trim();
  const sentence = /[.!?]$/.test(msg)
    ? msg
    : where
      ? `${route}: "${where}" is not valid (${msg}).`
      : `${route}: ${msg}.`;
  const more =
    error.issues.length > 1
      ? ` (${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''} in the same request.)`
      : '';
  return { code: 'BAD_INPUT', message: clip(sentence + more) };
}

/**
 * Maps anything thrown by the engine to `{ code, message }` for the UI: the engine's own
 * sentence and code when it has them, a generic sentence for bugs. Stack traces never cross,
 * and every secret passed in is cut out of the message.
 */
export function toApiError(route: string, err: unknown, secrets: ReadonlyArray<string> = []): ApiErrorShape {
  if (!(err instanceof Error) || BUG_ERROR_NAMES.has(err.name)) {
    return {
      code: 'INTERNAL',
      message: `SMS Desk hit an internal error while handling ${route}. Try again; if it keeps happening, report it.`,
    };
  }
  const raw = (err as { code?: unknown }).code;
  // SQLite's own words ("database disk image is malformed") tell the user nothing they can act on
  if (typeof raw === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(raw)) {
    return {
      code: 'DB_CORRUPT',
      message:
        'The data file of SMS Desk is damaged. Quit SMS Desk and open it again to restore the newest backup (or run `smsdesk restore --latest`); the damaged file is kept aside.',
    };
  }
  const code = typeof raw === 'string' && CODE.test(raw) ? raw : 'FAILED';
  return { code, message: clip(redact(firstBlock(err.message) || `${route} failed.`, secrets)) };
}

/** drops anything that looks like a stack trace appended to a message */
function firstBlock(message: string): string {
  const at = message.search(/\n\s+at\s/);
  return (at >= 0 ? message.slice(0, at) : message).trim();
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
