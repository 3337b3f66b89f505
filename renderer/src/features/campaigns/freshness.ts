/**
 * A campaign's status reaches the page two ways: the engine's 'campaign' events, in the order the
 * engine sent them, and the answers to the page's own polls, which travel apart from the events
 * and can come in after a newer event. Put on the page as they come, an answer can show older
 * numbers for a moment (the strip at 40 / 80 beside 45 of 80). So an answer is taken only for a
 * campaign with no event since its question went out; otherwise the event's status stays.
 */
export function createFreshness() {
  let seen = 0;
  const lastEvent = new Map<number, number>();
  return {
    /** an event with this campaign's status came in */
    event(id: number): void {
      lastEvent.set(id, ++seen);
    },
    /** the mark to take as a question goes out */
    mark(): number {
      return seen;
    },
    /** no event for this campaign came in since `mark` */
    unchangedSince(id: number, mark: number): boolean {
      return (lastEvent.get(id) ?? 0) <= mark;
    },
  };
}
export type Freshness = ReturnType<typeof createFreshness>;

/**
 * The campaigns an answer lists (the answer says which are still going), each as the answer has it
 * unless an event for it came in since the question went out: then as the page shows it.
 */
export function mergeAnswer<T extends { id: number }>(shown: T[] | null, answer: T[], f: Freshness, mark: number): T[] {
  return answer.map((c) => (f.unchangedSince(c.id, mark) ? c : (shown?.find((s) => s.id === c.id) ?? c)));
}
