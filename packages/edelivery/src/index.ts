/** @kakehashi/edelivery — eDelivery building block: AS4 access point (ebMS3, WS-Security, receipts, retries, duplicate elimination). TEST ONLY. */
export const PACKAGE = '@kakehashi/edelivery';
