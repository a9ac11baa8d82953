import { generateKeyPairSync } from 'node:crypto';
import { isKakehashiError } from '@kakehashi/core';
import { LOA } from '@kakehashi/personas';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { buildAuthnRequest, encodeRedirectRequest } from '../src/saml/authn-request/build-authn-request.ts';
import {
  decodeRedirectMessage,
  decodeRedirectRequest,
  verifyQuerySignature,
} from '../src/saml/authn-request/decode-request.ts';
import '../src/error-codes.ts';
import { DEMO_SP_ENTITY_ID } from '../src/saml/constants.ts';
import { demoSp } from '../src/saml/demo-sp/demo-sp.ts';
import { parseSamlXml } from '../src/saml/xml/parse-saml.ts';
import { decryptEncryptedAssertion, encryptElement } from '../src/saml/xml/xml-encryption.ts';

const sp = demoSp('kakehashi-saml-unit');
const DEST = 'http://127.0.0.1:7007/saml/idp/sso';

describe('HTTP-Redirect binding', () => {
  const { id, xml } = buildAuthnRequest({
    issuer: DEMO_SP_ENTITY_ID,
    destination: DEST,
    acsUrl: 'http://127.0.0.1:1/acs',
    requestedLoa: LOA.substantial,
    nowMs: Date.parse('2026-06-01T00:00:00Z'),
  });

  it('round-trips a signed request and verifies the query signature over the raw octets', () => {
    const url = new URL(encodeRedirectRequest(DEST, xml, { relayState: 'a b&c', signingKey: sp.privateKey }));
    const decoded = decodeRedirectRequest(url.search.slice(1));
    expect(decoded.xml).toBe(xml);
    expect(decoded.xml).toContain(`ID="${id}"`);
    expect(decoded.relayState).toBe('a b&c');
    const qs = decoded.querySignature as NonNullable<typeof decoded.querySignature>;
    expect(verifyQuerySignature(qs, [sp.certPem]).ok).toBe(true);
    // Another key, a tampered RelayState, SHA-1: refused.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = new URL(encodeRedirectRequest(DEST, xml, { relayState: 'a b&c', signingKey: other.privateKey }));
    expect(
      verifyQuerySignature(decodeRedirectRequest(forged.search.slice(1)).querySignature as never, [sp.certPem]).ok,
    ).toBe(false);
    const tampered = decodeRedirectRequest(url.search.slice(1).replace('RelayState=a', 'RelayState=b'));
    expect(verifyQuerySignature(tampered.querySignature as never, [sp.certPem]).ok).toBe(false);
    expect(
      verifyQuerySignature({ ...qs, sigAlg: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }, [sp.certPem]),
    ).toMatchObject({ ok: false });
  });

  it('refuses SigAlg without Signature, bad base64 and bad deflate with saml-binding-invalid', () => {
    const code = (q: string) => {
      try {
        decodeRedirectRequest(q);
        return 'none';
      } catch (e) {
        return isKakehashiError(e) ? e.code : 'crash';
      }
    };
    expect(code('SAMLRequest=abc&SigAlg=x')).toBe('saml-binding-invalid');
    expect(code('SAMLRequest=@@@@')).toBe('saml-binding-invalid');
    expect(code(`SAMLRequest=${encodeURIComponent(Buffer.from('plain text').toString('base64'))}`)).toBe(
      'saml-binding-invalid',
    );
  });

  it('refuses a malformed %-escape in a parameter name or value with saml-binding-invalid (RFC 3986 §2.1)', () => {
    const refusal = (q: string, kind: 'SAMLRequest' | 'SAMLResponse' = 'SAMLRequest') => {
      try {
        decodeRedirectMessage(q, kind);
        return 'none';
      } catch (e) {
        return isKakehashiError(e) ? { code: e.code, status: e.status, rule: e.rule } : 'crash';
      }
    };
    const good = new URL(encodeRedirectRequest(DEST, xml)).search.slice(1);
    const bad = { code: 'saml-binding-invalid', status: 400, rule: 'RFC 3986 §2.1' };
    for (const q of [
      good.replace('SAMLRequest', 'SAML%ZZRequest'),
      `${good}&%=x`,
      `${good}&%E0%A4%A=x`,
      `${good}&RelayState=%`,
      `${good}&kakehashi_persona=%ZZ`,
    ])
      expect(refusal(q), q.slice(-30)).toEqual(bad);
    expect(refusal('SAMLResponse=abc&%ZZ=1', 'SAMLResponse')).toEqual(bad);
  });
});

describe('XML encryption (AES-256-GCM, RSA-OAEP) with an algorithm allow-list', () => {
  const el = (xml: string) =>
    new DOMParser().parseFromString(
      `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${xml}</saml:EncryptedAssertion>`,
      'application/xml',
    ).documentElement as unknown as Element;
  const secret = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a">x</saml:Assertion>';

  it('round-trips for the recipient, and fails closed for another key or altered ciphertext', () => {
    const enc = encryptElement(secret, sp.certPem, DEMO_SP_ENTITY_ID);
    expect(decryptEncryptedAssertion(el(enc), sp.privateKey)).toEqual({ ok: true, plaintext: secret });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(decryptEncryptedAssertion(el(enc), other.privateKey)).toMatchObject({ ok: false, kind: 'failed' });
    const altered = enc.replace(
      /(<xenc:CipherValue>)([A-Za-z0-9+/]{8})([^<]*<\/xenc:CipherValue><\/xenc:CipherData><\/xenc:EncryptedData>)$/,
      (_m, a, b: string, c) => `${a}${b.split('').reverse().join('')}${c}`,
    );
    expect(decryptEncryptedAssertion(el(altered), sp.privateKey)).toMatchObject({ ok: false });
  });

  it('refuses AES-CBC content and RSA 1.5 key transport (X4)', () => {
    const enc = encryptElement(secret, sp.certPem);
    const cbc = enc.replace(
      'http://www.w3.org/2009/xmlenc11#aes256-gcm',
      'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
    );
    expect(decryptEncryptedAssertion(el(cbc), sp.privateKey)).toMatchObject({ ok: false, kind: 'forbidden' });
    const v15 = enc.replace(
      'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
      'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
    );
    expect(decryptEncryptedAssertion(el(v15), sp.privateKey)).toMatchObject({ ok: false, kind: 'forbidden' });
  });
});

describe('parseSamlXml: parser-differential guards', () => {
  const code = (xml: string) => {
    try {
      parseSamlXml(xml);
      return 'ok';
    } catch (e) {
      return isKakehashiError(e) ? e.code : 'crash';
    }
  };
  it('accepts plain SAML and refuses duplicate IDs, two ID attributes, foreign ds/saml namespaces', () => {
    expect(code('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>')).toBe('ok');
    expect(code('<r><a ID="_1"/><b Id="_1"/></r>')).toBe('xml-duplicate-id');
    expect(code('<r ID="_1" Id="_2"/>')).toBe('saml-parser-differential');
    expect(code('<r xmlns:x="urn:x" ID="_1" x:ID="_2"/>')).toBe('saml-parser-differential');
    expect(code('<ds:Signature xmlns:ds="urn:evil"/>')).toBe('saml-parser-differential');
    expect(code('<r><x:Assertion xmlns:x="urn:not-saml"/></r>')).toBe('saml-parser-differential');
    expect(code('<!DOCTYPE r><r/>')).toBe('xml-doctype-forbidden');
  });
});
