import { type FaultDefinition, registeredFaults } from '@kakehashi/core';

/**
 * The attack runner's catalogue: one case per forge fault of the federation, each aimed at the kinds of target that
 * consume the artefact it spoils. A case's id is the fault's name (`id-token.alg-none`); the rule is the attack
 * catalogue's id and, after a space, the rule our validator names (from the fault's definition when this build or
 * the target federation offers it).
 * @see ../../../../../shared/design/attack-catalogue.md
 */
export type TargetKind = 'self' | 'oidc-rp' | 'saml-sp' | 'as4' | 'signature-validator' | 'verifier';

export const TARGET_KINDS: readonly TargetKind[] = [
  'self',
  'oidc-rp',
  'saml-sp',
  'as4',
  'signature-validator',
  'verifier',
];

/** The artefact family a case spoils: which flow produces it. */
export type Artefact = 'id-token' | 'saml' | 'edelivery' | 'esig' | 'wallet';

/** One case of the runner. */
export interface AttackCase {
  /** The fault's name, also the case's id. */
  id: string;
  artefact: Artefact;
  /** The target kinds this case is run against. */
  kinds: TargetKind[];
  /** `<catalogue id> <rule name>` (the fault's `rule`), e.g. `J1 jwt-alg-none`; the catalogue id alone as a fallback. */
  rule: string;
  /** The fault that forges the artefact (the same as the id). */
  fault: string;
  description: string;
  /** False when this build declares no such fault yet (the case is then reported as unavailable). */
  declared: boolean;
}

const KINDS: Record<Artefact, TargetKind[]> = {
  'id-token': ['self', 'oidc-rp'],
  saml: ['self', 'saml-sp'],
  edelivery: ['self', 'as4'],
  esig: ['self', 'signature-validator'],
  // The forging holder's presentations go to an OpenID4VP verifier (the W rules: Kakehashi's verifier's rule ids);
  // Kakehashi's own: --target verifier <node>/wallet/verifier/requests --request-endpoint.
  wallet: ['verifier'],
};

/** The cases, in catalogue order, with the catalogue id and a description used until the fault itself says more. */
const CASES: readonly [name: string, rule: string, description: string][] = [
  ['id-token.alg-none', 'J1', 'ID token with alg none and the signature stripped'],
  ['id-token.hs256-key-confusion', 'J2', "ID token HMAC-signed (HS256) with the issuer's public key as the secret"],
  ['id-token.embedded-jwk', 'J4', 'ID token signed by an attacker key carried in its own jwk header'],
  ['id-token.unknown-kid', 'J6', "ID token whose kid names no key of the issuer's JWKS"],
  ['id-token.untrusted-key', 'J7', "ID token signed by a key that is not the issuer's"],
  ['id-token.expired', 'J8', 'ID token whose exp has passed'],
  ['id-token.issued-in-future', 'J8', 'ID token issued (iat, nbf) in the future'],
  ['id-token.wrong-audience', 'J9', 'ID token for another client (aud)'],
  ['id-token.wrong-issuer', 'J10', 'ID token naming another issuer (iss)'],
  ['id-token.nonce-mismatch', 'J11', 'ID token with a nonce the relying party did not send'],
  ['id-token.wrong-typ', 'J12', 'a token of another type (typ) passed as the ID token'],
  ['id-token.unknown-crit', 'J13', 'ID token with a critical header extension nobody understands'],
  ['id-token.tampered-payload', 'J15', 'ID token whose payload was changed after signing'],
  ['id-token.acr-too-low', 'J16', 'ID token whose acr is below the level of assurance requested'],
  ['saml.unsigned-assertion', 'S10', 'SAML Response with the assertion signature stripped'],
  ['saml.wrapped-assertion', 'S3', 'XML signature wrapping: an evil assertion beside the signed one'],
  ['saml.attacker-key', 'S11', "assertion signed by an attacker's key carried in KeyInfo (the IdP's DN)"],
  ['saml.replayed-assertion', 'S12', 'an assertion already consumed, sent again'],
  ['saml.wrong-in-response-to', 'S13', 'Response answering another AuthnRequest (InResponseTo)'],
  ['saml.wrong-destination', 'S14', 'Response addressed to another ACS (Destination, Recipient)'],
  ['saml.wrong-audience', 'S15', 'assertion for another SP (AudienceRestriction)'],
  ['saml.expired', 'S16', 'assertion whose NotOnOrAfter has passed'],
  ['saml.wrong-issuer', 'S17', 'Response and assertion naming another IdP (Issuer)'],
  ['saml.loa-too-low', 'S18', 'assertion whose AuthnContextClassRef is below the requested level'],
  ['saml.assertion-in-failed-response', 'S19', 'a valid assertion inside a non-Success Response'],
  ['saml.tampered-assertion', 'S10', 'assertion changed after signing'],
  ['edelivery.unsigned-message', 'E7', 'AS4 user message without its WS-Security signature'],
  ['edelivery.wrong-party', 'E6', 'AS4 message signed by a certificate not registered for its From party'],
  ['edelivery.replayed-message-id', 'E3', 'AS4 message reusing a MessageId already delivered'],
  ['edelivery.tampered-attachment', 'E5', 'AS4 message whose attachment changed after signing'],
  ['edelivery.tampered-header', 'E4', 'AS4 message whose ebMS header changed after signing'],
  ['esig.revoked-certificate', 'C3', 'signature by a revoked certificate'],
  ['esig.expired-certificate', 'C1', 'signature by an expired certificate'],
  ['esig.missing-signing-certificate', 'C9', 'signature without the signing-certificate attribute'],
  ['esig.untrusted-tsa', 'C6', 'B-T signature time-stamped by an untrusted TSA'],
  ['esig.weak-algorithm', 'C7', 'signature with a weak algorithm (SHA-1, RSA-1024)'],
  ['wallet.vp-replayed', 'W10', 'the vp_token an earlier request accepted, posted to a fresh request'],
  ['wallet.vp-wrong-nonce', 'W10', 'presentation whose key binding carries another nonce'],
  ['wallet.vp-wrong-audience', 'W11', "presentation whose key binding's aud names another verifier"],
  ['wallet.vp-stale-key-binding', 'W12', 'presentation whose key binding was made an hour ago'],
  ['wallet.vp-no-key-binding', 'W8', 'presentation without a KB-JWT'],
  ['wallet.vp-foreign-key-binding', 'W9', "KB-JWT signed by another key than the credential's cnf"],
  ['wallet.vp-tampered-disclosure', 'W7', "a disclosed claim's value changed"],
  ['wallet.vp-added-disclosure', 'W7', 'a disclosure of a claim the issuer never made'],
  ['wallet.vp-expired', 'W5', 'an expired PID'],
  ['wallet.vp-untrusted-issuer', 'W2', 'a PID signed by a key no trusted list knows'],
  ['wallet.vp-revoked', 'W15', 'a PID revoked in its status list'],
  ['wallet.vp-wrong-response-uri', 'W10', "a presentation for another verifier's request, posted to this one"],
  ['wallet.vp-mdoc-tampered-item', 'W7', "an mdoc IssuerSignedItem's value changed"],
  ['wallet.vp-mdoc-foreign-device-key', 'W9', "an mdoc device signature by another key than the MSO's deviceKey"],
  ['wallet.vp-mdoc-wrong-nonce', 'W9', 'an mdoc device signature over a SessionTranscript with another nonce'],
  ['wallet.vp-mdoc-expired', 'W5', 'an expired mdoc PID'],
  ['wallet.vp-mdoc-untrusted-issuer', 'W2', 'an mdoc PID signed by a key no trusted list knows'],
  ['wallet.vp-mdoc-revoked', 'W15', 'an mdoc PID revoked in its status list'],
];

const artefactOf = (name: string): Artefact => name.split('.')[0] as Artefact;

/**
 * Every case, its rule and description from the fault definitions `faults` (this build's registry by default, or a
 * target federation's `GET /admin/faults`) where they declare the fault.
 */
export function attackCases(faults: readonly FaultDefinition[] = registeredFaults()): AttackCase[] {
  const byName = new Map(faults.map((f) => [f.name, f]));
  const known = new Set(CASES.map(([name]) => name));
  // A forge fault a block added beyond this list (a variant such as saml.wrapped-assertion.extensions) is a case
  // too, after the last case of its family.
  // The PID provider's faults are ingredients of the wallet cases (the credential they present), not cases.
  const extra = faults.filter(
    (f) =>
      f.kind === 'forge' &&
      f.perRequest === true &&
      !known.has(f.name) &&
      artefactOf(f.name) in KINDS &&
      !f.name.startsWith('wallet.pid-'),
  );
  const rows: [name: string, rule: string, description: string][] = [];
  for (const row of CASES) {
    rows.push(row);
    const family = artefactOf(row[0]);
    const next = CASES[CASES.indexOf(row) + 1];
    if (!next || artefactOf(next[0]) !== family)
      for (const f of extra.filter((e) => artefactOf(e.name) === family))
        rows.push([f.name, f.rule ?? '', f.description]);
  }
  return rows.map(([name, rule, description]) => {
    const def = byName.get(name);
    return {
      id: name,
      artefact: artefactOf(name),
      kinds: KINDS[artefactOf(name)],
      rule: def?.rule ?? rule,
      fault: name,
      description: def?.description ?? description,
      declared: def !== undefined,
    };
  });
}

/** The catalogue id of a rule (`J1` of `J1 jwt-alg-none`). */
export const catalogueId = (rule: string): string => rule.split(/\s+/)[0] ?? rule;

/**
 * The cases `--only` selects: each entry is a case id, a catalogue id (`J8`), a rule name, or a prefix with `.*`
 * (`saml.*`). Unknown entries are returned so the command can refuse them.
 */
export function selectCases(
  cases: readonly AttackCase[],
  only: readonly string[] | undefined,
): { selected: AttackCase[]; unknown: string[] } {
  if (!only || only.length === 0) return { selected: [...cases], unknown: [] };
  const unknown: string[] = [];
  const picked = new Set<string>();
  for (const raw of only) {
    const entry = raw.trim();
    if (!entry) continue;
    const hits = cases.filter(
      (c) =>
        c.id === entry ||
        (entry.endsWith('.*') && c.id.startsWith(entry.slice(0, -1))) ||
        catalogueId(c.rule).toUpperCase() === entry.toUpperCase() ||
        c.rule.split(/\s+/).slice(1).includes(entry),
    );
    if (hits.length === 0) unknown.push(entry);
    for (const h of hits) picked.add(h.id);
  }
  return { selected: cases.filter((c) => picked.has(c.id)), unknown };
}
