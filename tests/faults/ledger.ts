/**
 * The ledger's invariant, checked from outside after a fault scenario: opened read-only (the
 * processes under test have ended), every message in a state its batch allows, completed
 * campaigns holding only final or decided messages, the status counters equal to the rows.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkLedger, type Violation } from '../../electron/engine/queue/invariants.ts';

export function ledgerViolations(dataDir: string): Violation[] {
  const db = new Database(path.join(dataDir, 'smsdesk.db'), { readonly: true, fileMustExist: true });
  try {
    return checkLedger(db, { thorough: true });
  } finally {
    db.close();
  }
}

/** How many times each number reached the gateway as accepted, from the sandbox's record. */
export function acceptedCounts(accepted: Array<{ to: string[] }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of accepted) for (const n of b.to) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}
