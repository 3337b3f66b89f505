/**
 * Nigerian mobile networks by the prefix a number was first allocated with.
 *
 * Source: the NCC number allocations as commonly published (Wikipedia "Telephone numbers in
 * Nigeria", operator pages), cross-checked against the list in the SMS Desk brief. Two caveats:
 * - Mobile number portability (since 2013) lets a subscriber keep the number on another
 *   network, so this is the *original* network: good for estimates and reports, not billing truth.
 * - Newer allocations (e.g. 0911, 0804 Ntel, 0702x Smile/others) are not assigned to one of the
 *   four big networks here; such numbers stay valid with network = null.
 * Keys are national significant numbers' leading digits (without the trunk 0): "803" = 0803.
 */
export type Network = 'MTN' | 'Airtel' | 'Glo' | '9mobile';

const TABLE: Record<Network, string[]> = {
  MTN: ['0803', '0806', '0703', '0706', '0813', '0816', '0810', '0814', '0903', '0906', '0913', '0916', '07025', '07026', '0704'],
  Airtel: ['0802', '0808', '0708', '0812', '0701', '0902', '0901', '0904', '0907', '0912'],
  Glo: ['0805', '0807', '0705', '0815', '0811', '0905', '0915'],
  '9mobile': ['0809', '0818', '0817', '0909', '0908'],
};

const BY_PREFIX = new Map<string, Network>();
for (const [network, prefixes] of Object.entries(TABLE) as Array<[Network, string[]]>) {
  for (const p of prefixes) BY_PREFIX.set(p.slice(1), network);
}

/** `national` is the 10-digit national significant number, e.g. "8031234567". */
export function nigerianNetwork(national: string): Network | null {
  return BY_PREFIX.get(national.slice(0, 4)) ?? BY_PREFIX.get(national.slice(0, 3)) ?? null;
}

/** The prefix table, for documentation screens and tests. */
export function networkPrefixes(): Record<Network, readonly string[]> {
  return TABLE;
}
