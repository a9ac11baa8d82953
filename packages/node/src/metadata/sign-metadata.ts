import type { KeyObject } from 'node:crypto';
import type { NodeMetadata } from '@kakehashi/core';
import { CompactSign } from 'jose';

/** Signs node metadata as a compact JWS (RS256) with the signing certificate chain in `x5c`. */
export async function signMetadata(metadata: NodeMetadata, key: KeyObject, chainPem: string[]): Promise<string> {
  const x5c = chainPem.map((pem) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''));
  return new CompactSign(new TextEncoder().encode(JSON.stringify(metadata)))
    .setProtectedHeader({ alg: 'RS256', typ: 'kakehashi-node-metadata+jwt', x5c })
    .sign(key);
}
