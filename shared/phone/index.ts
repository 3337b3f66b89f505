export { normalizeMsisdn, isKnownCountry, type NormalizeResult } from './normalize.ts';
export { nigerianNetwork, networkPrefixes, type Network } from './networks.ts';
