export { normalizeMsisdn, isKnownCountry, type NormalizeResult } from './normalize.ts';
export {
  nigerianNetwork,
  networkPrefixes,
  networkGroup,
  NETWORK_GROUPS,
  NETWORK_GROUP_LABEL,
  type Network,
  type NetworkGroup,
} from './networks.ts';
