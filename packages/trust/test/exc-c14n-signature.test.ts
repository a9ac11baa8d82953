import { X509Certificate } from 'node:crypto';
import { parseXml, VirtualClock } from '@kakehashi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import type { TrustMaterial } from '../src/pki/types.ts';
import { buildLotl } from '../src/tl/build-lotl.ts';
import { buildTrustedList } from '../src/tl/build-trusted-list.ts';
import { ALGORITHMS, DSIG_NS } from '../src/tl/constants.ts';
import { prepareExcC14nListSignature } from '../src/tl/exc-c14n-signature.ts';
import { verifyLotl, verifyTrustedList } from '../src/tl/verify-trusted-list.ts';
import { AT, material } from './fixtures.ts';

let m: TrustMaterial;
let lists: string[];
const issue = {
  sequenceNumber: 5,
  issueDate: new Date('2026-05-01T00:00:00Z'),
  nextUpdate: new Date('2026-11-01T00:00:00Z'),
};
const clock = new VirtualClock();
clock.freeze(AT);

beforeAll(() => {
  m = material();
  lists = [buildLotl(m, issue), buildTrustedList(m, 'DE', issue), buildTrustedList(m, 'JP', issue)];
});

/** The one-pass check of a list as verifySignedList calls it. */
function prepared(xml: string) {
  const root = parseXml(xml).documentElement;
  const signature = root.getElementsByTagNameNS(DSIG_NS, 'Signature').item(0) as Element;
  const signedInfo = signature.getElementsByTagNameNS(DSIG_NS, 'SignedInfo').item(0) as Element;
  const reference = signedInfo.getElementsByTagNameNS(DSIG_NS, 'Reference').item(0) as Element;
  const algo = (el: Element, name: string) =>
    [...Array.from(el.getElementsByTagNameNS(DSIG_NS, name))].map((e) => e.getAttribute('Algorithm') ?? '');
  return prepareExcC14nListSignature({
    root,
    signature,
    signedInfo,
    reference,
    uri: reference.getAttribute('URI'),
    c14n: algo(signedInfo, 'CanonicalizationMethod')[0] as string,
    method: algo(signedInfo, 'SignatureMethod')[0] as string,
    transforms: algo(reference, 'Transform'),
    digest: algo(reference, 'DigestMethod')[0] as string,
  });
}

/** xml-crypto's verdict and signed content, with the certificate pinned (KeyInfo ignored). */
function xmlCrypto(xml: string, certPem: string): { ok: boolean; signed?: string } {
  const sig = new SignedXml({ publicCert: certPem, getCertFromKeyInfo: () => null });
  sig.loadSignature(parseXml(xml).getElementsByTagNameNS(DSIG_NS, 'Signature').item(0) as Element);
  try {
    const ok = sig.checkSignature(xml);
    return ok ? { ok, signed: sig.getSignedReferences()[0] as string } : { ok };
  } catch {
    return { ok: false };
  }
}

const signerOf = (i: number) =>
  [m.hub.signing.certPem, m.countries.DE!.tlSigner.certPem, m.countries.JP!.tlSigner.certPem][i] as string;

describe('the one-pass exc-c14n list signature check agrees with xml-crypto', () => {
  it('accepts each list signed by its signer, with the same signed content, and refuses another key', () => {
    lists.forEach((xml, i) => {
      const p = prepared(xml);
      expect(p).toBeDefined();
      const reference = xmlCrypto(xml, signerOf(i));
      expect(reference.ok).toBe(true);
      expect(p!.digestMatches).toBe(true);
      expect(p!.verifiesWith(new X509Certificate(signerOf(i)))).toBe(true);
      expect(p!.signedContent).toBe(reference.signed);
      expect(p!.verifiesWith(new X509Certificate(signerOf((i + 1) % 3)))).toBe(false);
      expect(xmlCrypto(xml, signerOf((i + 1) % 3)).ok).toBe(false);
    });
  });

  it('refuses what xml-crypto refuses: changed content, a changed signed digest, a changed SignatureValue', () => {
    const [lotl] = lists as [string];
    const cert = new X509Certificate(signerOf(0));
    const content = lotl.replace('<TSLSequenceNumber>5<', '<TSLSequenceNumber>6<');
    const digest = lotl.replace(/<ds:DigestValue>(.)/, (_, c: string) => `<ds:DigestValue>${c === 'A' ? 'B' : 'A'}`);
    const value = lotl.replace(
      /<ds:SignatureValue>(.)/,
      (_, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`,
    );
    for (const forged of [content, digest, value]) {
      expect(forged).not.toBe(lotl);
      const p = prepared(forged);
      expect(p).toBeDefined();
      expect(p?.digestMatches && p.verifiesWith(cert)).toBe(false);
      expect(xmlCrypto(forged, signerOf(0)).ok).toBe(false);
    }
    expect(() => verifyLotl(content, { pinnedSignerCerts: [signerOf(0)], clock })).toThrowError(
      expect.objectContaining({ code: 'tl-signature-invalid', message: expect.stringContaining('signed digest') }),
    );
  });

  it('leaves a Reference without URI or with "#id" to xml-crypto', () => {
    const [lotl] = lists as [string];
    expect(prepared(lotl.replace('<ds:Reference URI=""', '<ds:Reference'))).toBeUndefined();
    expect(() =>
      verifyLotl(lotl.replace('<ds:Reference URI=""', '<ds:Reference'), { pinnedSignerCerts: [signerOf(0)], clock }),
    ).toThrowError(expect.objectContaining({ code: 'tl-signature-invalid' }));
    const id = /<TrustServiceStatusList[^>]* Id="([^"]+)"/.exec(lotl)?.[1];
    if (id) expect(prepared(lotl.replace('<ds:Reference URI=""', `<ds:Reference URI="#${id}"`))).toBeUndefined();
  });

  it('leaves another profile to xml-crypto: a list signed with inclusive c14n still verifies', () => {
    const unsigned = buildTrustedList(m, 'DE', issue).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    const signer = m.countries.DE!.tlSigner;
    const sig = new SignedXml({
      privateKey: signer.keyPem,
      publicCert: signer.certPem,
      signatureAlgorithm: ALGORITHMS.rsaSha256,
      canonicalizationAlgorithm: ALGORITHMS.c14n,
    });
    sig.addReference({
      xpath: '/*',
      transforms: [ALGORITHMS.enveloped, ALGORITHMS.c14n],
      digestAlgorithm: ALGORITHMS.sha256,
      isEmptyUri: true,
    });
    sig.computeSignature(unsigned, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
    const inclusive = sig.getSignedXml();
    expect(prepared(inclusive)).toBeUndefined();
    const v = verifyTrustedList(inclusive, { signerCerts: [signer.certPem], clock, expectedTerritory: 'DE' });
    expect(v.territory).toBe('DE');
    expect(() =>
      verifyTrustedList(inclusive.replace('<TSLSequenceNumber>5<', '<TSLSequenceNumber>6<'), {
        signerCerts: [signer.certPem],
        clock,
      }),
    ).toThrowError(expect.objectContaining({ code: 'tl-signature-invalid' }));
  });
});
