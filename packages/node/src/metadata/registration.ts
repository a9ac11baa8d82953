import type { KeyObject } from 'node:crypto';
import type { Clock, HubClient, Logger, NodeMetadata } from '@kakehashi/core';
import { signMetadata } from './sign-metadata.ts';

/** A node's registration at the hub with its signed metadata. */
export interface Registration {
  /** The metadata as of now (the virtual clock). */
  metadata(): NodeMetadata;
  /** The metadata and its signed form (compact JWS, RS256, the signing chain in `x5c`). */
  signed(): Promise<{ metadata: NodeMetadata; signedMetadata: string }>;
  /** Registers (or updates) at the hub; the hub's refusal is rethrown with its code. */
  register(): Promise<{ country: string; created: boolean }>;
  /** Whether the last registration went through (for /health). */
  registered(): boolean;
}

/** Signs the node's metadata with its signing credential and registers it through the hub client. */
export function createRegistration(deps: {
  country: string;
  metadata: () => NodeMetadata;
  signing: { privateKey: KeyObject; certPem: string; chainPem: readonly string[] };
  hub: HubClient;
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
}): Registration {
  let registered: { at: string; created: boolean } | undefined;
  const signed = async () => {
    const metadata = deps.metadata();
    const chain = [deps.signing.certPem, ...deps.signing.chainPem];
    return { metadata, signedMetadata: await signMetadata(metadata, deps.signing.privateKey, chain) };
  };
  return {
    metadata: deps.metadata,
    signed,
    register: async () => {
      const answer = await deps.hub.register((await signed()).signedMetadata, deps.fetch);
      const created = answer.created === true;
      registered = { at: deps.clock.now().toISOString(), created };
      deps.logger.info('registered with the hub', { hub: deps.hub.hubUrl, created });
      return { country: deps.country, created };
    },
    registered: () => registered !== undefined,
  };
}
