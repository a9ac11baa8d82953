/** @kakehashi/jp-network — Japan's Cooperation Network: key custodian, per-agency codes, mediated exchange, access records, citizen portal. TEST ONLY. */
export const PACKAGE = '@kakehashi/jp-network';
