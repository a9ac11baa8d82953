import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { BEARER, NS } from '../constants.ts';
import { attr, childElements, derB64ToPem, fullText, pemBody } from '../xml/dom.ts';
import {
  type InspectedSignature,
  inspectSignature,
  type SignatureProblem,
  signatureProblemCode,
  verifyInspectedSignature,
} from '../xml/verify-signature.ts';
import type { CheckedMessage } from './check-message.ts';
import type { Recorder } from './saml-checks.ts';
import type { TrustedIdp, ValidateSamlResponseContext } from './validation-context.ts';
import type { ExpectedSamlResponse, SamlRule } from './z-saml-validation.ts';

/** The trusted IdP and the assertion's bearer SubjectConfirmationData, once both signatures verified. */
export interface TrustedMessage {
  idp: TrustedIdp;
  /** The one bearer SubjectConfirmationData of the assertion. */
  scData: Element;
}

function trustedKey(pem: string): KeyObject {
  return createPublicKey(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }));
}

function signatureRule(kind: SignatureProblem['kind'], level: 'response' | 'assertion'): SamlRule {
  if (kind === 'forbidden') return 'X4';
  if (kind === 'differential') return 'S20';
  if (kind === 'reference') return level === 'response' ? 'S1' : 'S5';
  return 'S10';
}

/**
 * The trust checks, in order: the issuer is the expected IdP (S17, before anything is fetched), a registered
 * node with trusted metadata, both signatures well-formed (S20, X4, one Reference to the parent), keys only from
 * trust (S11), the assertion signature (S10), the assertion answers the same request as its Response (S19, a
 * swapped assertion), the Response signature (S10). A linear rule list: the first failure stops the run.
 * @see https://www.w3.org/TR/xmldsig-core1/ (XML Signature 1.1)
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1.4.3)
 */
export async function checkTrust(
  { resp, responseIssuers, assertion, signedAssertion }: CheckedMessage,
  expected: ExpectedSamlResponse,
  ctx: ValidateSamlResponseContext,
  r: Recorder,
): Promise<TrustedMessage> {
  // ---- S17: issuer (before anything is fetched) ----------------------------------------------------------------
  const responseIssuer = fullText(responseIssuers[0] as Element).trim();
  const assertionIssuers = childElements(assertion, NS.saml, 'Issuer');
  const assertionIssuer = assertionIssuers.length === 1 ? fullText(assertionIssuers[0] as Element).trim() : undefined;
  if (responseIssuer !== expected.issuer)
    r.failUnless(
      'lenient.saml.wrong-issuer',
      'issuer',
      `The Response Issuer is ${JSON.stringify(responseIssuer.slice(0, 100))}, expected ${expected.issuer}.`,
    );
  if (assertionIssuer !== expected.issuer)
    r.failUnless(
      'lenient.saml.wrong-issuer',
      'issuer',
      `The assertion Issuer is ${JSON.stringify((assertionIssuer ?? 'missing').slice(0, 100))}, expected ${expected.issuer}.`,
    );
  r.pass('issuer', `Issuer ${expected.issuer} (verified with the signatures below).`);

  let idp: TrustedIdp | undefined;
  try {
    idp = await ctx.resolveIdp(expected.issuer);
  } catch (e) {
    r.fail(
      'issuer-registered',
      `The metadata of ${expected.issuer} is not usable: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
      'saml-issuer-metadata-unavailable',
    );
  }
  if (!idp) return r.fail('issuer-registered', `${expected.issuer} is not the IdP metadata URL of a registered node.`);
  r.pass(
    'issuer-registered',
    `The IdP of node ${idp.country}; ${idp.signingCerts.length} signing certificate(s) validated against the trust fabric.`,
  );

  // ---- signatures: structure, key from trust, then crypto from the same DOM -----------------------------------
  const aSig = inspectSignature(signedAssertion);
  // A weak node (lenient.saml.unsigned-assertion) takes an unsigned assertion on the Response's signature alone.
  const unsigned = !aSig.ok && aSig.kind === 'absent';
  if (unsigned)
    r.failUnless(
      'lenient.saml.unsigned-assertion',
      'assertion-signature',
      `Assertion signature: ${aSig.reason}`,
      signatureProblemCode(aSig.kind),
      'S10',
    );
  else if (!aSig.ok)
    r.fail(
      aSig.kind === 'absent' ? 'assertion-signature' : 'assertion-wrapping',
      `Assertion signature: ${aSig.reason}`,
      signatureProblemCode(aSig.kind),
      signatureRule(aSig.kind, 'assertion'),
    );
  const rSig = inspectSignature(resp);
  if (!rSig.ok)
    r.fail(
      rSig.kind === 'absent' ? 'response-signature' : 'response-wrapping',
      `Response signature: ${rSig.reason}`,
      signatureProblemCode(rSig.kind),
      signatureRule(rSig.kind, 'response'),
    );
  const trusted = new Set(idp.signingCerts.map(pemBody));
  // A weak node (lenient.saml.attacker-key) verifies with the certificate the signature carries in KeyInfo.
  const keyInfoPems: string[] = [];
  for (const [what, sig] of [
    ['assertion', unsigned ? undefined : aSig],
    ['Response', rSig],
  ] as const)
    for (const c of (sig as InspectedSignature | undefined)?.keyInfoCertificates ?? [])
      if (!trusted.has(c)) {
        r.failUnless(
          'lenient.saml.attacker-key',
          'key',
          `The ${what} signature's KeyInfo carries a certificate that is not the IdP's metadata certificate (same name or not): keys come from trust, never from KeyInfo.`,
        );
        keyInfoPems.push(derB64ToPem(c));
      }
  r.pass(
    'key',
    `Verification keys: the ${trusted.size} signing certificate(s) of the IdP's trusted metadata; KeyInfo ignored.`,
  );

  const verifyWith = (el: Element, sig: InspectedSignature) => {
    let last: SignatureProblem | undefined;
    for (const pem of [...idp.signingCerts, ...keyInfoPems]) {
      const v = verifyInspectedSignature(el, sig, trustedKey(pem));
      if (v.ok) return undefined;
      last = v;
    }
    return last;
  };
  if (!unsigned) {
    const aBad = verifyWith(signedAssertion, aSig as InspectedSignature);
    if (aBad) r.fail('assertion-signature', `Assertion: ${aBad.reason}`);
  }
  r.pass('assertion-signature', 'The assertion signature verifies; its Reference is the assertion consumed.');

  // ---- S19: the assertion belongs to this envelope (swap) ------------------------------------------------------
  const subject = childElements(assertion, NS.saml, 'Subject')[0];
  const bearer = subject
    ? childElements(subject, NS.saml, 'SubjectConfirmation').filter((s) => attr(s, 'Method') === BEARER)
    : [];
  const scd =
    bearer.length === 1 ? childElements(bearer[0] as Element, NS.saml, 'SubjectConfirmationData')[0] : undefined;
  if (!subject || !scd)
    r.fail(
      'envelope',
      'The assertion needs a Subject with one bearer SubjectConfirmationData.',
      'saml-malformed',
      'structure',
    );
  const scData = scd as Element;
  const responseInResponseTo = attr(resp, 'InResponseTo');
  if (attr(scData, 'InResponseTo') !== responseInResponseTo || attr(scData, 'Recipient') !== attr(resp, 'Destination'))
    r.fail(
      'envelope',
      'The assertion answers another request or recipient than the Response that carries it (InResponseTo/Recipient differ): a swapped assertion.',
    );
  r.pass('envelope', 'The assertion and its Response answer the same request for the same recipient.');

  const rBad = verifyWith(resp, rSig as InspectedSignature);
  if (rBad) r.fail('response-signature', `Response: ${rBad.reason}`);
  r.pass('response-signature', 'The Response signature verifies; its Reference is the Response consumed.');

  return { idp, scData };
}
