/**
 * Nigerian mobile networks by the prefix a number was first allocated with.
 *
 * Sources (checked 2026-11): the NCC allocations as republished by several Nigerian sites
 * (naijnaira.com "Nigerian Mobile Number Prefixes by Network", nigeriaphonebook.com, the phoneng
 * library's coverage table, infocontemporary.com 2018 list); all agree on the table below.
 * 0707 (once ZoomMobile) and 0911, where those web lists disagree, follow libphonenumber's
 * Nigerian ranges (resources/metadata/234/ranges.csv), whose operator column is filed by the
 * operators themselves (IR.21): 0707 is MTN, 0911 is Airtel.
 * Left out on purpose, because the sources disagree or the operator is not one of the four:
 * 0702/07020 (Smile, sometimes Airtel), 0804 (Ntel), 0801 (MAFAB), 0709/07027 (Multi-Links),
 * 0819/07028/07029 (Starcomms). Those numbers stay valid with network = null.
 * Mobile number portability (since 2013) lets a subscriber keep the number on another network,
 * so this is the *original* network: fine for estimates and reports, not billing truth.
 */
export type Network = 'MTN' | 'Airtel' | 'Glo' | '9mobile';

const TABLE: Record<Network, string[]> = {
  MTN: [
    '0803',
    '0806',
    '0703',
    '0706',
    '0813',
    '0816',
    '0810',
    '0814',
    '0903',
    '0906',
    '0913',
    '0916',
    '07025',
    '07026',
    '0704',
    '0707',
  ],
  Airtel: ['0802', '0808', '0708', '0812', '0701', '0902', '0901', '0904', '0907', '0912', '0911'],
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

/** How the dashboard and exports group recipients: the four networks, other Nigerian numbers, numbers abroad. */
export const NETWORK_GROUPS = ['MTN', 'Airtel', 'Glo', '9mobile', 'other', 'foreign'] as const;
export type NetworkGroup = (typeof NETWORK_GROUPS)[number];

export const NETWORK_GROUP_LABEL: Record<NetworkGroup, string> = {
  MTN: 'MTN',
  Airtel: 'Airtel',
  Glo: 'Glo',
  '9mobile': '9mobile',
  other: 'Other Nigerian',
  foreign: 'Abroad',
};

/**
 * The group of an international number (digits, e.g. "2348031234567"). `stored` is the network
 * saved at import; a ledger written before networks were kept has null there, so the prefix decides.
 */
export function networkGroup(msisdn: string, stored: string | null = null): NetworkGroup {
  if (stored && (NETWORK_GROUPS as readonly string[]).includes(stored) && stored !== 'other' && stored !== 'foreign')
    return stored as NetworkGroup;
  if (!msisdn.startsWith('234')) return 'foreign';
  return nigerianNetwork(msisdn.slice(3)) ?? 'other';
}
