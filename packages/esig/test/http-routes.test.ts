import { createHash, X509Certificate } from 'node:crypto';
import {
  CORE_OPTIONS,
  type ComponentApp,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  openStore,
  SeededRandom,
  type Store,
} from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOcspResponse } from '../src/ocsp/check-ocsp-response.ts';
import { OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from '../src/ocsp/ocsp-common.ts';
import { buildOcspRequest } from '../src/ocsp/ocsp-request.ts';
import { mountOcspResponder } from '../src/ocsp/routes.ts';
import { mountTimestampAuthority } from '../src/tsa/routes.ts';
import { buildTimestampRequest, TIMESTAMP_QUERY_TYPE, TIMESTAMP_REPLY_TYPE } from '../src/tsa/timestamp-authority.ts';
import { frozenClock, material, ocspResponders, T0, tsaFor } from './fixtures.ts';

/** The TSA and OCSP route modules mounted on a component: binary bodies in and out, problems for bad requests. */
describe('esig route modules (RFC 3161 TSA, RFC 6960 OCSP)', () => {
  const stores: Store[] = [];
  afterAll(() => {
    for (const s of stores) s.close();
  });
  const clock = frozenClock(T0);
  const m = material();
  const build = (): ComponentApp => {
    const store = openStore({ name: 'esig-routes' });
    stores.push(store);
    const deps = {
      store,
      clock,
      random: new SeededRandom('esig-routes'),
      logger: createMemoryLogger(),
      config: new LayeredConfig(CORE_OPTIONS),
      fetch,
      traces: new MemoryTraceSink(),
      faults: new FaultSwitchboard(),
    };
    const app = createComponentApp({ component: 'hub', name: 'test hub', version: '0' }, deps);
    const responders = ocspResponders([], clock);
    mountOcspResponder(app, { ...deps, component: 'hub', responderFor: (ca) => responders[ca] });
    mountTimestampAuthority(app, { ...deps, tsa: tsaFor('AT', clock), component: 'hub' });
    return app;
  };
  const app = build();
  const agency = m.countries.AT!.agencies.bmi!;
  const issuer = m.countries.AT!.issuingCa;

  it('POST /tsa answers a DER TimeStampResp; another content type is a 415 problem', async () => {
    const req = buildTimestampRequest(createHash('sha256').update('document').digest(), { certReq: true });
    const res = await app.request('/tsa', {
      method: 'POST',
      headers: { 'content-type': TIMESTAMP_QUERY_TYPE },
      body: new Uint8Array(req),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(TIMESTAMP_REPLY_TYPE);
    expect(new Uint8Array(await res.arrayBuffer())[0]).toBe(0x30);
    const wrong = await app.request('/tsa', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(wrong.status).toBe(415);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
  });

  it('OCSP by POST, by GET with the base64 URL-encoded, and by GET with raw "/" in the base64', async () => {
    const ask = buildOcspRequest(agency.certPem, issuer.certPem);
    const check = async (res: Response) => {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(OCSP_RESPONSE_TYPE);
      const r = checkOcspResponse(new Uint8Array(await res.arrayBuffer()), {
        certificate: agency.certPem,
        issuer: issuer.certPem,
        nonce: ask.nonce,
        at: T0,
      });
      expect(r.ok && r.status).toBe('good');
    };
    await check(
      await app.request(`/trust/ocsp/${issuer.name}`, {
        method: 'POST',
        headers: { 'content-type': OCSP_REQUEST_TYPE },
        body: new Uint8Array(ask.der),
      }),
    );
    const b64 = ask.der.toString('base64');
    await check(await app.request(`/trust/ocsp/${issuer.name}/${encodeURIComponent(b64)}`));
    // A request whose base64 has a '/' (built until one does), sent unencoded: it spans several path segments.
    let slashed = ask;
    while (!slashed.der.toString('base64').includes('/')) slashed = buildOcspRequest(agency.certPem, issuer.certPem);
    const res = await app.request(`/trust/ocsp/${issuer.name}/${slashed.der.toString('base64')}`);
    expect(res.status).toBe(200);
    const r = checkOcspResponse(new Uint8Array(await res.arrayBuffer()), {
      certificate: agency.certPem,
      issuer: issuer.certPem,
      nonce: slashed.nonce,
      at: T0,
    });
    expect(r.ok && r.status).toBe('good');
  });

  it('an issuer whose public key cannot be decoded makes the OCSP check fail, never throw (found by kakehashi fuzz: was a 500)', async () => {
    const ask = buildOcspRequest(agency.certPem, issuer.certPem);
    const res = await app.request(`/trust/ocsp/${issuer.name}`, {
      method: 'POST',
      headers: { 'content-type': OCSP_REQUEST_TYPE },
      body: new Uint8Array(ask.der),
    });
    const der = new Uint8Array(await res.arrayBuffer());
    // The issuer's SubjectPublicKeyInfo says rsaEncryption → md2WithRSA (same length): it parses, its key does not.
    const hex = new X509Certificate(issuer.certPem).raw.toString('hex');
    expect(hex).toContain('06092a864886f70d010101');
    const broken = new X509Certificate(
      Buffer.from(hex.replace('06092a864886f70d010101', '06092a864886f70d010102'), 'hex'),
    );
    expect(() => broken.publicKey).toThrow();
    const r = checkOcspResponse(der, { certificate: agency.certPem, issuer: broken, nonce: ask.nonce, at: T0 });
    expect(r.ok).toBe(false);
    expect(['signature', 'signer']).toContain(!r.ok && r.problem);
  });

  it('OCSP problems: unknown CA 404, wrong content type 415, a path that is not base64 400', async () => {
    const ask = buildOcspRequest(agency.certPem, issuer.certPem);
    const unknown = await app.request('/trust/ocsp/XX-no-such-ca', {
      method: 'POST',
      headers: { 'content-type': OCSP_REQUEST_TYPE },
      body: new Uint8Array(ask.der),
    });
    expect(unknown.status).toBe(404);
    const wrongType = await app.request(`/trust/ocsp/${issuer.name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(ask.der),
    });
    expect(wrongType.status).toBe(415);
    const notBase64 = await app.request(`/trust/ocsp/${issuer.name}/not*base64`);
    expect(notBase64.status).toBe(400);
  });
});
