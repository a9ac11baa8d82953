import { defineFaults, type FaultSwitchboard, KakehashiError } from '@kakehashi/core';

/**
 * The SAML faults of the eID block, all off by default. The forged ones (`saml.*`) make the proxy service (IdP)
 * answer with a Response broken in exactly one way, one per S-rule an IdP can break, to test a service provider's
 * refusal paths: switched on with `PUT /admin/faults` (every Response), or asked for by one login with
 * `kakehashi_fault=<name>` (or `X-Kakehashi-Fault`) on the SSO request (`/saml/idp/sso`, either binding, outside
 * the signed AuthnRequest) or on the connector's login URL (`/saml/sp/login`), kept with the pending request until
 * the Response is built. The lenient ones (`lenient.saml.*`, the weak node mode) make this node's connector (SP)
 * accept what the strict validator refuses; the verdict shows the relaxed check as skipped with the fault's name.
 * Each `rule` is the attack catalogue's id and, after a space, the check of `validateSamlResponse` that names it.
 * @see ../../../../../shared/design/attack-catalogue.md (SAML 2.0 / eIDAS SAML)
 */
export const SAML_FAULTS = defineFaults('eid', [
  {
    name: 'saml.unsigned-assertion',
    kind: 'forge',
    rule: 'S10 assertion-signature',
    perRequest: true,
    description: 'The assertion goes out without its XML signature (the Response around it stays signed).',
  },
  {
    name: 'saml.wrapped-assertion',
    kind: 'forge',
    rule: 'S3 assertion-wrapping',
    perRequest: true,
    description:
      'Signature wrapping (XSW3): an unsigned evil assertion for another person is placed before the signed one inside the EncryptedAssertion.',
  },
  {
    name: 'saml.wrapped-assertion.xsw1',
    kind: 'forge',
    rule: 'S1 response-wrapping',
    perRequest: true,
    description:
      'Signature wrapping (XSW1): an evil Response (the evil assertion encrypted, a fresh ID) carries the signed original Response inside its copied ds:Signature.',
  },
  {
    name: 'saml.wrapped-assertion.xsw2',
    kind: 'forge',
    rule: 'S2 response-wrapping',
    perRequest: true,
    description:
      'Signature wrapping (XSW2): an evil Response (the evil assertion encrypted, a fresh ID) carries the signed original Response before its copied ds:Signature.',
  },
  {
    name: 'saml.wrapped-assertion.xsw4',
    kind: 'forge',
    rule: 'S4 assertion-wrapping',
    perRequest: true,
    description:
      'Signature wrapping (XSW4): the signed assertion is nested inside an unsigned evil assertion for another person.',
  },
  {
    name: 'saml.wrapped-assertion.xsw5',
    kind: 'forge',
    rule: 'S5 assertion-wrapping',
    perRequest: true,
    description:
      "Signature wrapping (XSW5): an evil assertion carries a copy of the original's signature; the original follows it, unsigned.",
  },
  {
    name: 'saml.wrapped-assertion.xsw6',
    kind: 'forge',
    rule: 'S6 assertion-wrapping',
    perRequest: true,
    description:
      "Signature wrapping (XSW6): an evil assertion carries a copy of the original's signature with the original, unsigned, inside it.",
  },
  {
    name: 'saml.wrapped-assertion.xsw7',
    kind: 'forge',
    rule: 'S7 response-wrapping',
    perRequest: true,
    description:
      'Signature wrapping (XSW7): an unsigned evil assertion is hidden in samlp:Extensions of the Response, beside the signed EncryptedAssertion.',
  },
  {
    name: 'saml.wrapped-assertion.xsw8',
    kind: 'forge',
    rule: 'S8 assertion-wrapping',
    perRequest: true,
    description:
      "Signature wrapping (XSW8): an evil assertion carries a copy of the original's signature with the original, unsigned, in a ds:Object inside it.",
  },
  {
    name: 'saml.attacker-key',
    kind: 'forge',
    rule: 'S11 key',
    perRequest: true,
    description:
      "The Response and assertion are signed with an attacker's key whose self-signed certificate in KeyInfo carries the IdP certificate's subject name.",
  },
  {
    name: 'saml.replayed-assertion',
    kind: 'forge',
    rule: 'S12 replay',
    perRequest: true,
    description:
      'The assertion re-uses the ID of the last assertion this IdP issued to the same SP (one it has consumed), in a fresh envelope for the current request; the first assertion to an SP has nothing to replay.',
  },
  {
    name: 'saml.wrong-in-response-to',
    kind: 'forge',
    rule: 'S13 in-response-to',
    perRequest: true,
    description: 'InResponseTo (Response and SubjectConfirmationData) names another request than the one answered.',
  },
  {
    name: 'saml.wrong-destination',
    kind: 'forge',
    rule: 'S14 destination',
    perRequest: true,
    description: "Destination and Recipient name another service's ACS (the form still posts to the requester's ACS).",
  },
  {
    name: 'saml.wrong-audience',
    kind: 'forge',
    rule: 'S15 audience',
    perRequest: true,
    description: 'The AudienceRestriction names another service provider.',
  },
  {
    name: 'saml.expired',
    kind: 'forge',
    rule: 'S16 time',
    perRequest: true,
    description:
      'The assertion (and its Response) was issued an hour ago: NotOnOrAfter of Conditions and SubjectConfirmationData passed 55 minutes ago.',
  },
  {
    name: 'saml.wrong-issuer',
    kind: 'forge',
    rule: 'S17 issuer',
    perRequest: true,
    description: "The Issuer of the Response and assertion is another IdP's entity ID (signed with this IdP's key).",
  },
  {
    name: 'saml.loa-too-low',
    kind: 'forge',
    rule: 'S18 loa',
    perRequest: true,
    description:
      'The AuthnContextClassRef is one level below the requested minimum (a request for low gets a non-eIDAS class).',
  },
  {
    name: 'saml.assertion-in-failed-response',
    kind: 'forge',
    rule: 'S19 status',
    perRequest: true,
    description: 'A Responder/AuthnFailed Response that still carries a valid signed, encrypted assertion.',
  },
  {
    name: 'saml.tampered-assertion',
    kind: 'forge',
    rule: 'S10 assertion-signature',
    perRequest: true,
    description:
      'DateOfBirth is changed after the assertion was signed: its Reference digest no longer matches (the Response is signed over the result).',
  },
  {
    name: 'lenient.saml.unsigned-assertion',
    kind: 'lenient',
    rule: 'S10 assertion-signature',
    description: "This node's connector accepts an assertion without a signature when its Response is signed.",
  },
  {
    name: 'lenient.saml.wrapped-assertion',
    kind: 'lenient',
    rule: 'S3 assertion-wrapping',
    description:
      "This node's connector verifies the signed assertion but consumes the first one (signature wrapping succeeds).",
  },
  {
    name: 'lenient.saml.attacker-key',
    kind: 'lenient',
    rule: 'S11 key',
    description: "This node's connector trusts the certificate in KeyInfo instead of the IdP's metadata.",
  },
  {
    name: 'lenient.saml.replayed-assertion',
    kind: 'lenient',
    rule: 'S12 replay',
    description: "This node's connector accepts an assertion ID it has already consumed.",
  },
  {
    name: 'lenient.saml.wrong-in-response-to',
    kind: 'lenient',
    rule: 'S13 in-response-to',
    description:
      "This node's connector accepts a Response that answers no outstanding request, matching it to the latest login started with its issuer.",
  },
  {
    name: 'lenient.saml.wrong-destination',
    kind: 'lenient',
    rule: 'S14 destination',
    description: "This node's connector ignores Destination and Recipient.",
  },
  {
    name: 'lenient.saml.wrong-audience',
    kind: 'lenient',
    rule: 'S15 audience',
    description: "This node's connector ignores the AudienceRestriction.",
  },
  {
    name: 'lenient.saml.expired',
    kind: 'lenient',
    rule: 'S16 time',
    description: "This node's connector ignores NotBefore, NotOnOrAfter and IssueInstant.",
  },
  {
    name: 'lenient.saml.wrong-issuer',
    kind: 'lenient',
    rule: 'S17 issuer',
    description: "This node's connector ignores the Issuer and verifies with the keys of the IdP it asked.",
  },
  {
    name: 'lenient.saml.loa-too-low',
    kind: 'lenient',
    rule: 'S18 loa',
    description: "This node's connector accepts an AuthnContextClassRef below the requested minimum.",
  },
  {
    name: 'lenient.saml.assertion-in-failed-response',
    kind: 'lenient',
    rule: 'S19 status',
    description: "This node's connector consumes an assertion from a Response whose status is not Success.",
  },
]);

/** The name of a SAML fault. */
export type SamlFaultName = (typeof SAML_FAULTS)[number]['name'];
/** The forged-Response faults (the proxy service's). */
export type SamlForgeFault = Extract<SamlFaultName, `saml.${string}`>;
/** The weak node's faults (the connector's). */
export type SamlLenientFault = Extract<SamlFaultName, `lenient.saml.${string}`>;

/** The forged-Response fault names, in declaration order. */
export const SAML_FORGE_FAULTS = SAML_FAULTS.filter((f) => f.kind === 'forge').map((f) => f.name as SamlForgeFault);

/**
 * Checks the fault one SAML login asks for (`kakehashi_fault`, `X-Kakehashi-Fault`) at the SSO or the connector's
 * login: offered here and per request (core's `requireRequestable`), and one of the forged Responses — a fault of
 * another block would never fire in a SAML login. Throws `fault-unknown` / `fault-not-per-request`.
 */
export function requireSamlFault(faults: FaultSwitchboard, asked: string): SamlForgeFault {
  const name = faults.requireRequestable(asked.trim());
  if (!(SAML_FORGE_FAULTS as readonly string[]).includes(name))
    throw new KakehashiError(
      'fault-unknown',
      `The fault "${name}" is not one a SAML login can ask for; the SAML SSO and connector login honour ${SAML_FORGE_FAULTS.join(', ')}.`,
      { extra: { requestable: [...SAML_FORGE_FAULTS] } },
    );
  return name as SamlForgeFault;
}
