import { generateKeyPairSync } from 'node:crypto';
import { generatePersonas } from '@kakehashi/personas';
import { issueCertificate } from '@kakehashi/trust';
import { DcqlQuery } from 'dcql';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshEcKey } from '../src/crypto/ec-key.ts';
import { type PidIssuerKey, pidIssuerKey } from '../src/issuer/pid-issuer-key.ts';
import { createStatusRegistry, STATUS, statusListToken } from '../src/issuer/status-list.ts';
import { deviceResponseArtefact } from '../src/mdoc/mdoc-artefact.ts';
import { issuePidMdoc, PID_NAMESPACE, pidMdocElementsOf } from '../src/mdoc/pid-mdoc.ts';
import { createMdocDeviceResponse } from '../src/mdoc/present-mdoc.ts';
import type { PresentationVerdict } from '../src/verifier/rules.ts';
import { type ExpectedMdocPresentation, verifyMdocPresentation } from '../src/verifier/verify-mdoc.ts';
import type { VerifyContext } from '../src/verifier/verify-presentation.ts';

/**
 * The mdoc verdict's rules one by one, without a federation (the e2e test covers the flow, W2, W7 and W9): a PID
 * mdoc issued with a key certified by a throw-away CA, the trust view stubbed, the clock moved per test.
 */
const T0 = new Date('2026-06-01T00:00:00Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);
const RESPONSE_URI = 'https://verifier.example/response';
const CLIENT = `redirect_uri:${RESPONSE_URI}`;
const query = (claims: string[], doctype = 'eu.europa.ec.eudi.pid.1') =>
  DcqlQuery.parse({
    credentials: [
      {
        id: 'pid',
        format: 'mso_mdoc',
        meta: { doctype_value: doctype },
        claims: claims.map((c) => ({ path: [PID_NAMESPACE, c] })),
      },
    ],
  } as never);
const expected = (over: Partial<ExpectedMdocPresentation> = {}): ExpectedMdocPresentation => ({
  nonce: 'n-1',
  clientId: CLIENT,
  responseUri: RESPONSE_URI,
  dcql: { query: query(['family_name']), credentialQueryId: 'pid' },
  ...over,
});
const ctx = (at: Date): VerifyContext => ({
  clock: { now: () => at } as VerifyContext['clock'],
  validateCertificate: () => ({ valid: true, checks: [], country: 'EE', anchor: 'test CA' }),
  resolveIssuer: async () => undefined,
  fetcher: fetch,
  skewSeconds: 60,
  kbMaxAgeSeconds: 300,
});
const failed = (v: PresentationVerdict) => (v.valid ? 'valid' : `${v.failure?.rule} ${v.failure?.code}`);

let key: PidIssuerKey;
const device = freshEcKey();
const devicePrivateJwk = device.privateKey.export({ format: 'jwk' }) as JWK;
const persona = generatePersonas('unit', 'EE')[0];

/** A PID mdoc valid `hoursValid` from T0, presented for `paths` with the given transcript inputs. */
async function present(opts: {
  hoursValid?: number;
  docType?: string;
  paths?: string[];
  nonce?: string;
  encryptionJwk?: JWK;
  status?: { idx: number; uri: string };
}): Promise<string> {
  if (!persona) throw new Error('no EE persona');
  const until = hours(opts.hoursValid ?? 24);
  const issuerSigned = await issuePidMdoc({
    key,
    deviceJwk: device.publicJwk,
    elements: pidMdocElementsOf(persona, T0, until),
    now: T0,
    expires: until,
    ...(opts.docType ? { docType: opts.docType } : {}),
    status: opts.status,
  });
  return createMdocDeviceResponse({
    issuerSigned,
    paths: (opts.paths ?? ['family_name']).map((p) => [PID_NAMESPACE, p]),
    devicePrivateJwk,
    handover: {
      clientId: CLIENT,
      nonce: opts.nonce ?? 'n-1',
      responseUri: RESPONSE_URI,
      encryptionJwk: opts.encryptionJwk,
    },
  });
}

beforeAll(() => {
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
    seed: 'unit-mdoc',
    country: 'EE',
    issuingCa: { certPem, chainPem: [], privateKey: ca.privateKey },
    signingCertPem: certPem,
  });
});

describe('verifyMdocPresentation', () => {
  it('accepts a fresh PID mdoc answering the query, and reports every mdoc rule', async () => {
    const v = await verifyMdocPresentation(await present({}), expected(), ctx(hours(1)));
    expect(failed(v)).toBe('valid');
    expect(v.checks.every((c) => c.outcome === 'passed')).toBe(true);
    expect(v.credential?.claims).toEqual({ [PID_NAMESPACE]: { family_name: persona?.familyNameLatin } });
  });

  it('gives the elements as JSON: a map as an object, a full-date as YYYY-MM-DD, an array as an array', async () => {
    const paths = ['place_of_birth', 'birth_date', 'nationality'];
    const e = expected({ dcql: { query: query(paths), credentialQueryId: 'pid' } });
    const v = await verifyMdocPresentation(await present({ paths }), e, ctx(hours(1)));
    expect(failed(v)).toBe('valid');
    expect(v.credential?.claims[PID_NAMESPACE]).toEqual({
      place_of_birth: { locality: persona?.placeOfBirth, country: 'EE' },
      birth_date: persona?.dateOfBirth,
      nationality: ['EE'],
    });
  });

  it('W1: not a DeviceResponse', async () => {
    expect(failed(await verifyMdocPresentation('not~cbor', expected(), ctx(hours(1))))).toBe('W1 vp-malformed');
    expect(failed(await verifyMdocPresentation('oA', expected(), ctx(hours(1))))).toBe('W1 vp-malformed');
    // a CBOR map that is no DeviceResponse: {"version": "1.0", "documents": 7}
    const odd = Buffer.from('a26776657273696f6e63312e3069646f63756d656e747307', 'hex').toString('base64url');
    expect(failed(await verifyMdocPresentation(odd, expected(), ctx(hours(1))))).toBe('W1 vp-malformed');
  });

  it('W5: before validFrom (beyond the skew) and after validUntil', async () => {
    const p = await present({});
    expect(failed(await verifyMdocPresentation(p, expected(), ctx(hours(-1))))).toBe('W5 vp-credential-expired');
    expect(failed(await verifyMdocPresentation(p, expected(), ctx(hours(25))))).toBe('W5 vp-credential-expired');
  });

  it('W6: another doctype than the query asks', async () => {
    const p = await present({ docType: 'org.iso.18013.5.1.mDL' });
    expect(failed(await verifyMdocPresentation(p, expected(), ctx(hours(1))))).toBe('W6 vp-vct-invalid');
  });

  it('W9: the SessionTranscript binds the nonce and the encryption key', async () => {
    expect(failed(await verifyMdocPresentation(await present({ nonce: 'n-2' }), expected(), ctx(hours(1))))).toBe(
      'W9 vp-key-binding-invalid',
    );
    const enc = freshEcKey().publicJwk as JWK;
    const p = await present({ encryptionJwk: enc });
    expect(failed(await verifyMdocPresentation(p, expected(), ctx(hours(1))))).toBe('W9 vp-key-binding-invalid');
    expect(failed(await verifyMdocPresentation(p, expected({ encryptionJwk: enc }), ctx(hours(1))))).toBe('valid');
  });

  it('W14: an element the query asks for is not presented', async () => {
    const e = expected({ dcql: { query: query(['family_name', 'birth_date']), credentialQueryId: 'pid' } });
    expect(failed(await verifyMdocPresentation(await present({}), e, ctx(hours(1))))).toBe('W14 vp-query-unmet');
  });

  it('W15: an mdoc valid over 24 h carries no status reference, so it is refused (VCR_01b)', async () => {
    const p = await present({ hoursValid: 24 * 365 });
    expect(failed(await verifyMdocPresentation(p, expected(), ctx(hours(1))))).toBe('W15 vp-credential-revoked');
  });

  it("W15: the MSO's status reference is read — valid, revoked, and a list at no registered node of the issuer's country", async () => {
    const ISSUER = 'https://ee.example';
    const uri = `${ISSUER}/wallet/issuer/status-lists/1`;
    const statuses = createStatusRegistry();
    const good = statuses.allocate();
    const gone = statuses.allocate();
    statuses.set(gone, STATUS.invalid);
    const token = await statusListToken({ uri, key, list: statuses.list(), now: hours(1) });
    const fetched: string[] = [];
    const withList = (registered: string | undefined): VerifyContext => ({
      ...ctx(hours(1)),
      resolveIssuer: async (issuer) => (issuer === registered ? { country: 'EE' } : undefined),
      fetcher: (async (url: string) => {
        fetched.push(url);
        return new Response(token, { headers: { 'content-type': 'application/statuslist+jwt' } });
      }) as typeof fetch,
    });
    const year = 24 * 365;
    const valid = await verifyMdocPresentation(
      await present({ hoursValid: year, status: { idx: good, uri } }),
      expected(),
      withList(ISSUER),
    );
    expect(valid.valid, JSON.stringify(valid.failure)).toBe(true);
    expect(valid.checks.find((c) => c.rule === 'W15')?.reason).toBe('The status list says valid.');
    // the console's decoded view shows the reference
    const shown = deviceResponseArtefact(await present({ hoursValid: year, status: { idx: good, uri } })) as {
      mso: { status?: string };
    };
    expect(JSON.parse(shown.mso.status ?? '{}')).toEqual({ status_list: { idx: good, uri } });
    const revoked = await verifyMdocPresentation(
      await present({ hoursValid: year, status: { idx: gone, uri } }),
      expected(),
      withList(ISSUER),
    );
    expect(failed(revoked)).toBe('W15 vp-credential-revoked');
    expect(revoked.failure?.reason).toContain(`entry ${gone}`);
    fetched.length = 0;
    const elsewhere = await verifyMdocPresentation(
      await present({ hoursValid: year, status: { idx: good, uri: 'https://attacker.example/list' } }),
      expected(),
      withList(ISSUER),
    );
    expect(failed(elsewhere)).toBe('W15 vp-credential-revoked');
    expect(fetched).toEqual([]);
  });
});
