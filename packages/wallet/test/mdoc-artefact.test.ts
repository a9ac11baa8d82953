import { generateKeyPairSync } from 'node:crypto';
import { generatePersonas } from '@kakehashi/personas';
import { issueCertificate } from '@kakehashi/trust';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshEcKey } from '../src/crypto/ec-key.ts';
import { type PidIssuerKey, pidIssuerKey } from '../src/issuer/pid-issuer-key.ts';
import { deviceResponseArtefact, issuerSignedArtefact } from '../src/mdoc/mdoc-artefact.ts';
import { issuePidMdoc, PID_NAMESPACE, pidMdocElementsOf } from '../src/mdoc/pid-mdoc.ts';
import { createMdocDeviceResponse } from '../src/mdoc/present-mdoc.ts';

/**
 * The mdoc as the console's inspector shows it (issue 17): an issued IssuerSigned and a DeviceResponse decoded with
 * @animo-id/mdoc — elements by namespace and identifier, the MSO's validity, digest algorithm and device key, the
 * issuer's x5chain, the device-signed part — and what does not decode said so, never thrown.
 */
const T0 = new Date('2026-06-01T00:00:00Z');
const UNTIL = new Date('2026-06-02T00:00:00Z');
const device = freshEcKey();
const persona = generatePersonas('unit', 'EE')[0];
let key: PidIssuerKey;
let issued: string;
let response: string;

beforeAll(async () => {
  const ca = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { certPem } = issueCertificate(
    {
      subject: [
        { type: 'C', value: 'EE' },
        { type: 'CN', value: 'Test issuing CA' },
      ],
      serialHex: '01',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2035-01-01T00:00:00Z'),
      basicConstraints: { cA: true, pathLen: 0 },
      keyUsage: ['keyCertSign', 'cRLSign'],
    },
    ca.publicKey,
    { selfSigningKey: ca.privateKey },
  );
  key = pidIssuerKey({
    seed: 'unit',
    country: 'EE',
    issuingCa: { certPem, chainPem: [], privateKey: ca.privateKey },
    signingCertPem: certPem,
  });
  if (!persona) throw new Error('no EE persona');
  issued = await issuePidMdoc({
    key,
    deviceJwk: device.publicJwk,
    elements: pidMdocElementsOf(persona, T0, UNTIL),
    now: T0,
    expires: UNTIL,
  });
  response = await createMdocDeviceResponse({
    issuerSigned: issued,
    paths: ['family_name', 'birth_date', 'age_over_18'].map((e) => [PID_NAMESPACE, e]),
    devicePrivateJwk: device.privateKey.export({ format: 'jwk' }) as JWK,
    handover: { clientId: 'redirect_uri:https://v.example/r', nonce: 'n', responseUri: 'https://v.example/r' },
  });
});

describe('mdoc trace artefacts', () => {
  it('a DeviceResponse: the disclosed elements with their values, the MSO, the issuer signature, the device signature', () => {
    const a = deviceResponseArtefact(response) as Record<string, Record<string, unknown>>;
    expect(a.type).toBe('mso_mdoc');
    expect(a.document).toEqual({
      kind: 'DeviceResponse',
      version: '1.0',
      status: 0,
      documents: 1,
      docType: 'eu.europa.ec.eudi.pid.1',
    });
    // only the elements presented, each by namespace/identifier; a full-date as YYYY-MM-DD
    expect(a.issuerSigned).toEqual({
      [`${PID_NAMESPACE}/family_name`]: persona?.familyNameLatin,
      [`${PID_NAMESPACE}/birth_date`]: persona?.dateOfBirth,
      [`${PID_NAMESPACE}/age_over_18`]: true,
    });
    expect(a.mso).toMatchObject({
      version: '1.0',
      docType: 'eu.europa.ec.eudi.pid.1',
      digestAlgorithm: 'SHA-256',
      signed: T0.toISOString(),
      validFrom: T0.toISOString(),
      validUntil: UNTIL.toISOString(),
    });
    // the MSO digests every element issued, not only the three shown
    expect(JSON.parse(a.mso?.valueDigests as string)[PID_NAMESPACE]).toBeGreaterThan(3);
    expect(JSON.parse(a.mso?.deviceKey as string)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: device.publicJwk.x,
      y: device.publicJwk.y,
    });
    expect(a.issuerAuth).toMatchObject({ alg: 'ES256', x5chain: 2 });
    expect(a.issuerAuth?.['x5chain[1]']).toContain('CN=Test issuing CA');
    expect(a.deviceSigned).toEqual({ deviceAuth: 'deviceSignature (COSE_Sign1)', alg: 'ES256', nameSpaces: 'none' });
  });

  it('an IssuerSigned as issued: every element, the MSO and its chain', () => {
    const a = issuerSignedArtefact(issued) as Record<string, Record<string, unknown>>;
    expect(a.document).toEqual({ kind: 'IssuerSigned', docType: 'eu.europa.ec.eudi.pid.1' });
    expect(Object.keys(a.issuerSigned ?? {})).toContain(`${PID_NAMESPACE}/resident_address`);
    expect(a.issuerSigned?.[`${PID_NAMESPACE}/place_of_birth`]).toBe(
      JSON.stringify({ locality: persona?.placeOfBirth, country: 'EE' }),
    );
    expect(a.mso?.digestAlgorithm).toBe('SHA-256');
    expect(a.deviceSigned).toBeUndefined();
  });

  it('what does not decode is said, not thrown', () => {
    expect(deviceResponseArtefact('not-cbor')).toMatchObject({
      type: 'mso_mdoc',
      unreadable: expect.stringMatching(/^not a DeviceResponse/),
    });
    expect(issuerSignedArtefact(Buffer.from([0xa0]).toString('base64url'))).toMatchObject({
      unreadable: expect.stringMatching(/^not an IssuerSigned/),
    });
  });
});
