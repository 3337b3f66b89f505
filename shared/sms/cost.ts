/** Cost estimates. Gateways bill by their own part count, so these are estimates, shown as such. */

export function estimateCost(parts: number, pricePerPart: number): number {
  if (!Number.isFinite(parts) || parts < 0)
    throw new RangeError(`The part count must be a number of 0 or more, not ${parts}.`);
  if (!Number.isFinite(pricePerPart) || pricePerPart < 0)
    throw new RangeError(`The price per part must be a number of 0 or more, not ${pricePerPart}.`);
  // toPrecision(15) drops float noise first, so 1.005 rounds to 1.01 and not to 1.00.
  return Math.round(Number((parts * pricePerPart * 100).toPrecision(15))) / 100;
}

export interface PartsSummary {
  recipients: number;
  totalParts: number;
  maxParts: number;
  /** the most common part count (on a tie, the smaller one); 0 when there are no recipients */
  typicalParts: number;
  /** recipients needing more parts than typicalParts: usually long names or values in a merge field */
  overTypical: number;
}

export function summarizeParts(partsPerRecipient: Iterable<number>): PartsSummary {
  let recipients = 0;
  let totalParts = 0;
  let maxParts = 0;
  const counts = new Map<number, number>();
  for (const p of partsPerRecipient) {
    if (!Number.isInteger(p) || p < 0)
      throw new RangeError(`A part count must be a whole number of 0 or more, not ${p}.`);
    recipients++;
    totalParts += p;
    if (p > maxParts) maxParts = p;
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  let typicalParts = 0;
  let best = 0;
  for (const [p, c] of counts) {
    if (c > best || (c === best && p < typicalParts)) {
      best = c;
      typicalParts = p;
    }
  }
  let overTypical = 0;
  for (const [p, c] of counts) if (p > typicalParts) overTypical += c;
  return { recipients, totalParts, maxParts, typicalParts, overTypical };
}
