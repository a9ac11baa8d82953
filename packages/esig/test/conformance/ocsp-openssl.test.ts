import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ocspSignerFor, type RevocationRecord } from '@kakehashi/trust';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOcspResponse } from '../../src/ocsp/check-ocsp-response.ts';
import { buildOcspRequest, parseOcspRequest } from '../../src/ocsp/ocsp-request.ts';
import { createOcspResponder } from '../../src/ocsp/ocsp-responder.ts';
import { frozenClock, hasTool, material, ocspResponders, run, T0, tempFiles } from '../fixtures.ts';

/** The OCSP responder (RFC 6960) and the client-side checks, and OpenSSL as the independent verifier. */
const m = material();
const AT = m.countries.AT!;
const leaf = AT.agencies.bmi!;
const DAY = 86_400_000;
const revocations: RevocationRecord[] = [
  {
    serialHex: leaf.serialHex,
    revokedAt: new Date('2026-05-01T12:00:00Z'),
    issuerName: 'AT-issuing-ca',
    reason: 'keyCompromise',
  },
];
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('OCSP responder', () => {
  it('answers revoked (time, reason) and good from the revocation records, on the virtual clock, nonce echoed, delegated signer', () => {
    const clock = frozenClock();
    const responder = ocspResponders(revocations, clock)['AT-issuing-ca']!;
    expect(responder.signerLabel).toBe('Kakehashi AT OCSP Responder (TEST)');
    const req = buildOcspRequest(leaf.certPem, AT.issuingCa.certPem);
    const answer = responder.respond(req.der);
    expect(answer.responseStatus).toBe('successful');
    expect(answer.responses).toEqual([
      { serialHex: leaf.serialHex, status: 'revoked', revokedAt: '2026-05-01T12:00:00.000Z', reason: 'keyCompromise' },
    ]);
    const r = checkOcspResponse(answer.der, {
      certificate: leaf.certPem,
      issuer: AT.issuingCa.certPem,
      nonce: req.nonce,
      at: clock.now(),
    });
    expect(r).toMatchObject({
      ok: true,
      status: 'revoked',
      reason: 'keyCompromise',
      delegated: true,
      signer: 'Kakehashi AT OCSP Responder (TEST)',
    });
    if (!r.ok) throw new Error('unreachable');
    expect(r.revokedAt?.toISOString()).toBe('2026-05-01T12:00:00.000Z');
    expect(r.thisUpdate.toISOString()).toBe(T0.toISOString());
    expect(r.nextUpdate?.toISOString()).toBe(new Date(T0.getTime() + DAY).toISOString());

    // Time travel: the next answer is dated by the virtual clock.
    clock.freeze(new Date(T0.getTime() + 10 * DAY));
    const tsaReq = buildOcspRequest(AT.tsa.certPem, AT.issuingCa.certPem, { hash: 'sha1' });
    const good = checkOcspResponse(responder.respond(tsaReq.der).der, {
      certificate: AT.tsa.certPem,
      issuer: AT.issuingCa.certPem,
      nonce: tsaReq.nonce,
      at: clock.now(),
    });
    expect(good).toMatchObject({ ok: true, status: 'good' });
    if (good.ok) expect(good.producedAt.toISOString()).toBe('2026-06-11T00:00:00.000Z');
  });

  it('a root CA signs its own responses (no delegated signer) about the issuing CA', () => {
    expect(ocspSignerFor(m, 'AT-root-ca')).toBeUndefined();
    const responder = ocspResponders([], frozenClock())['AT-root-ca']!;
    const req = buildOcspRequest(AT.issuingCa.certPem, AT.rootCa.certPem);
    const r = checkOcspResponse(responder.respond(req.der).der, {
      certificate: AT.issuingCa.certPem,
      issuer: AT.rootCa.certPem,
      nonce: req.nonce,
      at: T0,
    });
    expect(r).toMatchObject({ ok: true, status: 'good', delegated: false, signer: 'Kakehashi AT Root CA (TEST)' });
  });

  it('protocol errors: garbage → malformedRequest; a CertID of another CA → unauthorized; both refused by the client', () => {
    const responder = ocspResponders([], frozenClock())['AT-issuing-ca']!;
    for (const bad of [Buffer.from('not an OCSP request'), Buffer.alloc(0), Buffer.from([0x30, 0x03, 0x02, 0x01])]) {
      const a = responder.respond(bad);
      expect(a.responseStatus).toBe('malformedRequest');
      expect(
        checkOcspResponse(a.der, { certificate: leaf.certPem, issuer: AT.issuingCa.certPem, at: T0 }),
      ).toMatchObject({
        ok: false,
        problem: 'responder-error',
        responseStatus: 'malformedRequest',
      });
    }
    const de = m.countries.DE!;
    const foreign = responder.respond(buildOcspRequest(de.agencies.bva!.certPem, de.issuingCa.certPem).der);
    expect(foreign.responseStatus).toBe('unauthorized');
    expect(foreign.reason).toContain('another issuer');
  });

  it('client checks: another CertID, stale, thisUpdate in the future, missing nonce, unreadable', () => {
    const clock = frozenClock();
    const responder = ocspResponders([], clock)['AT-issuing-ca']!;
    const req = buildOcspRequest(AT.tsa.certPem, AT.issuingCa.certPem);
    const der = responder.respond(req.der).der;
    const check = (o: Partial<Parameters<typeof checkOcspResponse>[1]>, body: Uint8Array = der) =>
      checkOcspResponse(body, {
        certificate: AT.tsa.certPem,
        issuer: AT.issuingCa.certPem,
        nonce: req.nonce,
        at: T0,
        ...o,
      });
    expect(check({})).toMatchObject({ ok: true, status: 'good' });
    expect(check({ certificate: leaf.certPem })).toMatchObject({ ok: false, problem: 'cert-id' });
    const stale = check({ at: new Date(T0.getTime() + 2 * DAY) });
    expect(stale).toMatchObject({ ok: false, problem: 'freshness' });
    if (!stale.ok) expect(stale.reason).toContain('stale');
    expect(check({ at: new Date(T0.getTime() - DAY) })).toMatchObject({ ok: false, problem: 'freshness' });
    // A response to a request without a nonce carries none: refused when we sent one.
    const noNonce = new pkijs.OCSPRequest({
      schema: asn1js.fromBER(new Uint8Array(req.der)).result,
    });
    noNonce.tbsRequest.requestExtensions = undefined;
    const bare = responder.respond(Buffer.from(noNonce.toSchema(true).toBER(false)));
    expect(bare.nonce).toBe(false);
    expect(check({}, bare.der)).toMatchObject({ ok: false, problem: 'nonce' });
    expect(check({}, Buffer.from('garbage'))).toMatchObject({ ok: false, problem: 'malformed' });
    expect(check({}, Buffer.concat([der, Buffer.from([0])]))).toMatchObject({ ok: false, problem: 'malformed' });
  });

  it('parses requests as sent (SHA-256 CertID, 32-byte nonce)', () => {
    const req = buildOcspRequest(leaf.certPem, AT.issuingCa.certPem);
    const parsed = parseOcspRequest(req.der);
    expect(parsed.certIds).toHaveLength(1);
    expect(parsed.certIds[0]?.hash).toBe('sha256');
    expect(parsed.certIds[0]?.serialHex).toBe(leaf.serialHex);
    expect(parsed.nonce?.equals(req.nonce)).toBe(true);
    expect(req.nonce).toHaveLength(32);
  });

  it('a responder without a key refuses to start', () => {
    expect(() =>
      createOcspResponder({ ca: { certificate: AT.issuingCa.certPem }, status: () => undefined, clock: frozenClock() }),
    ).toThrow(/private key or a delegated signer/);
  });
});

describe.skipIf(!hasTool('openssl'))('OpenSSL verifies our OCSP responses (openssl ocsp -respin … -CAfile …)', () => {
  const epoch = (d: Date) => String(Math.floor(d.getTime() / 1000) + 5);

  it('OpenSSL-built request → our responder → OpenSSL: signature, delegated signer chain, nonce and status', () => {
    const responders = ocspResponders(revocations, frozenClock());
    const { dir, path } = tempFiles({
      'root.pem': AT.rootCa.certPem,
      'ca.pem': AT.issuingCa.certPem,
      'leaf.pem': leaf.certPem,
      'tsa.pem': AT.tsa.certPem,
    });
    dirs.push(dir);
    // OpenSSL makes the requests (SHA-1 CertID, with its own nonce).
    for (const name of ['leaf', 'tsa']) {
      const mk = run('openssl', [
        'ocsp',
        '-issuer',
        path['ca.pem']!,
        '-cert',
        path[`${name}.pem`]!,
        '-reqout',
        `${dir}/${name}.req`,
      ]);
      expect(mk.status, mk.output).toBe(0);
    }
    for (const name of ['leaf', 'tsa']) {
      const answer = responders['AT-issuing-ca']!.respond(readFileSync(`${dir}/${name}.req`));
      expect(answer.responseStatus).toBe('successful');
      expect(answer.nonce).toBe(true);
      writeFileSync(`${dir}/${name}.resp`, answer.der);
      // Signature, responder authorisation (delegated signer issued by the CA, OCSPSigning) and nonce.
      const verify = run('openssl', [
        'ocsp',
        '-reqin',
        `${dir}/${name}.req`,
        '-respin',
        `${dir}/${name}.resp`,
        '-CAfile',
        path['root.pem']!,
        '-verify_other',
        path['ca.pem']!,
        '-attime',
        epoch(T0),
      ]);
      expect(verify.status, verify.output).toBe(0);
      expect(verify.output).toContain('Response verify OK');
    }
    const status = (name: string) =>
      run('openssl', [
        'ocsp',
        '-respin',
        `${dir}/${name}.resp`,
        '-CAfile',
        path['root.pem']!,
        '-verify_other',
        path['ca.pem']!,
        '-issuer',
        path['ca.pem']!,
        '-cert',
        path[`${name}.pem`]!,
        '-no_nonce',
        '-attime',
        epoch(T0),
        // thisUpdate/nextUpdate come from the virtual clock; OpenSSL compares them with the real time.
        '-validity_period',
        String(20 * 365 * 86_400),
      ]);
    const revoked = status('leaf');
    expect(revoked.output).toMatch(/leaf\.pem: revoked/);
    expect(revoked.output).toContain('Response verify OK');
    expect(revoked.output).toContain('Reason: keyCompromise');
    expect(revoked.output).toContain('Revocation Time: May  1 12:00:00 2026 GMT');
    expect(status('tsa').output).toMatch(/tsa\.pem: good/);
  });

  it("OpenSSL refuses a response signed by another CA's OCSP signer, and a tampered one", () => {
    const { dir, path } = tempFiles({ 'root.pem': AT.rootCa.certPem, 'ca.pem': AT.issuingCa.certPem });
    dirs.push(dir);
    const req = buildOcspRequest(leaf.certPem, AT.issuingCa.certPem);
    const wrong = createOcspResponder({
      ca: AT.issuingCa,
      signer: m.countries.DE!.ocspSigner,
      status: () => undefined,
      clock: frozenClock(),
    }).respond(req.der).der;
    const good = ocspResponders([], frozenClock())['AT-issuing-ca']!.respond(req.der).der;
    const tampered = Buffer.from(good);
    tampered.write('2027', tampered.indexOf(Buffer.from('20260602000000Z')), 'latin1');
    for (const [name, der] of [
      ['wrong', wrong],
      ['tampered', tampered],
    ] as const) {
      writeFileSync(`${dir}/${name}.resp`, der);
      const v = run('openssl', [
        'ocsp',
        '-respin',
        `${dir}/${name}.resp`,
        '-CAfile',
        path['root.pem']!,
        '-verify_other',
        path['ca.pem']!,
        '-no_nonce',
        '-attime',
        epoch(T0),
      ]);
      expect(v.output, name).toContain('Response Verify Failure');
    }
  });
});
