/** @kakehashi/esig — eSignature building block: create and validate XAdES, JAdES and CAdES (B-B, B-T) with ETSI EN 319 102-1 reports. TEST ONLY. */
export const PACKAGE = '@kakehashi/esig';
