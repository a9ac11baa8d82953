import type { KeyObject } from 'node:crypto';
import { SeededRandom } from '@kakehashi/core';
import { generateRsaKeyPair, issueCertificate, TEST_ONLY_OU } from '@kakehashi/trust';
import { DEMO_SP_ENTITY_ID } from '../constants.ts';
import { buildSpMetadata } from '../metadata/build-metadata.ts';

/** The test-only demo SP: one key pair (signing and encryption) derived from the seed, a self-signed certificate. */
export interface DemoSp {
  entityId: typeof DEMO_SP_ENTITY_ID;
  privateKey: KeyObject;
  privateKeyPem: string;
  certPem: string;
}

/** The example ACS its metadata names; any loopback http(s) URL is accepted. */
export const DEMO_SP_EXAMPLE_ACS = 'http://127.0.0.1:8080/saml/acs';
/** The example SingleLogoutService its metadata names; the IdP answers the demo SP at the ACS URL it logged in with. */
export const DEMO_SP_EXAMPLE_SLO = 'http://127.0.0.1:8080/saml/slo';

const cache = new Map<string, DemoSp>();

/**
 * The demo SP of a federation seed: an RSA-2048 key drawn from the seed (the same on every node and every
 * machine) and a self-signed certificate (CN kakehashi-demo-sp, fixed validity 2025–2045). TEST ONLY: its
 * private key is published (`GET /saml/demo-sp/key`) so that developers and tests can decrypt the assertions
 * sent to it — never use it for anything else.
 */
export function demoSp(seed: string): DemoSp {
  let sp = cache.get(seed);
  if (!sp) {
    const key = generateRsaKeyPair(new SeededRandom(seed, 'eid/saml/demo-sp'));
    const serial = new SeededRandom(seed, 'eid/saml/demo-sp/serial').bytes(16);
    serial[0] = (serial[0] as number) & 0x7f;
    const { certPem } = issueCertificate(
      {
        subject: [
          { type: 'C', value: 'EU' },
          { type: 'O', value: 'Kakehashi demo SP' },
          { type: 'OU', value: TEST_ONLY_OU },
          { type: 'CN', value: DEMO_SP_ENTITY_ID },
        ],
        serialHex: serial.toString('hex'),
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2045-01-01T00:00:00Z'),
        keyUsage: ['digitalSignature', 'keyEncipherment'],
      },
      key.publicKey,
      { selfSigningKey: key.privateKey },
    );
    sp = { entityId: DEMO_SP_ENTITY_ID, privateKey: key.privateKey, privateKeyPem: key.privateKeyPem, certPem };
    cache.set(seed, sp);
  }
  return sp;
}

/** The demo SP's metadata (signed with its own key), for SP libraries that want one. */
export function demoSpMetadata(seed: string, nowMs: number): string {
  const sp = demoSp(seed);
  return buildSpMetadata({
    entityId: sp.entityId,
    acsUrl: DEMO_SP_EXAMPLE_ACS,
    sloUrl: DEMO_SP_EXAMPLE_SLO,
    spType: 'public',
    signing: { privateKey: sp.privateKey, certPem: sp.certPem },
    encryptionCertPem: sp.certPem,
    organizationName: 'Kakehashi demo SP',
    organizationUrl: 'http://127.0.0.1:8080/',
    nowMs,
  });
}
