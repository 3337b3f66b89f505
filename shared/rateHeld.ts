/** What the dashboard and `smsdesk status` say when the answers hold the rate under its limit (campaigns.status heldByAnswers). */
export interface HeldRate {
  /** mean time from a request leaving to its answer, in the rate's window, ms */
  answerMs: number;
  /** rate.maxInFlight */
  inFlight: number;
  /** the most requests a second that allows: inFlight × 1000 / answerMs, rounded down to a tenth */
  ceiling: number;
  /** the setting that would let the limit through at this answer time, one spare (at most MAX_IN_FLIGHT) */
  enough: number;
}

/**
 * One sentence, the same in the app and the command; `raise` says where the user changes the
 * setting there, `rate` and `count` format the numbers as that place does.
 */
export function heldRateSentence(
  held: HeldRate,
  limit: number,
  f: { rate: (perSecond: number) => string; count: (n: number) => string; raise: string },
): string {
  const out =
    held.inFlight === 1 ? 'one request goes out at a time' : `${f.count(held.inFlight)} requests go out at once`;
  return `The gateway answers each request in about ${f.count(held.answerMs)} ms and ${out}, so about ${f.rate(held.ceiling)} can be sent, not the ${f.rate(limit)} set. If your 9bits account takes more, ${f.raise}.`;
}
