import type { DB } from './open.ts';

/**
 * Rows per step of every long write that yields (a freeze, a cancel, a delete, an opt-out's cancel):
 * 10-20 ms each on a shared 2-core machine, so the send loop and the window's calls never wait
 * long behind one (5,000 took 25-35 ms a step there, in the same total time).
 */
export const STEP_ROWS = 2000;

/**
 * Long deletes and writes go in steps (a generator that yields after each chunk, each chunk its
 * own statement or transaction). Two ways to run them: all at once where nothing else may run yet
 * (start-up), or with the event loop turning after every step where the user waits for the rest
 * of the engine (a send going on, the window's next call).
 */
export function runSteps(steps: Generator<void, void>): void {
  for (let s = steps.next(); !s.done; s = steps.next()) {
    /* next step */
  }
}

/**
 * Resolves true once every step ran, false if the connection closed between two (the app quit):
 * what is left is for start-up to finish, and the caller says so in its own words.
 */
export async function runStepsYielding(db: DB, steps: Generator<void, void>): Promise<boolean> {
  for (let s = steps.next(); !s.done; s = steps.next()) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!db.open) return false;
  }
  return true;
}
