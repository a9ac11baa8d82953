import { X509Certificate } from 'node:crypto';
import {
  type DeviceSignedDocument,
  MDocStatus,
  parseDeviceResponse,
  type VerificationAssessment,
  Verifier,
} from '@animo-id/mdoc';
import { DcqlPresentationResult, type DcqlQuery } from 'dcql';
import type { JWK } from 'jose';
import { mdocContext } from '../mdoc/mdoc-context.ts';
import { mdocValueToJson } from '../mdoc/mdoc-json.ts';
import { msoStatusReference, PID_DOCTYPE } from '../mdoc/pid-mdoc.ts';
import { openid4vpSessionTranscriptBytes } from '../mdoc/session-transcript.ts';
import { checkStatus } from './check-status.ts';
import type { LenientWalletFault } from './faults.ts';
import { createCheckRecorder, type PresentationVerdict, type RuleDefinition } from './rules.ts';
import type { VerifyContext } from './verify-presentation.ts';

/**
 * The rules of an mdoc presentation's verdict, numbered as the SD-JWT VC rules of the same meaning. W3 (`iss`),
 * W8 and W10–W13 (the KB-JWT) have no mdoc counterpart: the nonce, client_id, response URI and encryption key are
 * bound by the device signature itself, over the SessionTranscript (W9) — a wrong nonce and another key cannot be
 * told apart by a verifier, both fail W9.
 */
export const MDOC_PRESENTATION_RULES = [
  {
    rule: 'W1',
    id: 'structure',
    name: 'an mso_mdoc presentation: a DeviceResponse (1.0, status 0) of one document, issuerAuth COSE_Sign1 ES256 with x5chain, deviceSignature ES256',
    code: 'vp-malformed',
  },
  {
    rule: 'W2',
    id: 'chain',
    name: "the issuer's x5chain validates against the trusted lists",
    code: 'vp-issuer-untrusted',
  },
  {
    rule: 'W4',
    id: 'signature',
    name: "the MSO's COSE_Sign1 signature verifies with the x5chain leaf key",
    code: 'vp-issuer-signature-invalid',
  },
  {
    rule: 'W5',
    id: 'validity',
    name: "validityInfo on the virtual clock; signed within the certificate's validity",
    code: 'vp-credential-expired',
  },
  { rule: 'W6', id: 'doctype', name: 'docType (document and MSO) is the doctype requested', code: 'vp-vct-invalid' },
  {
    rule: 'W7',
    id: 'digests',
    name: "each IssuerSignedItem's SHA-256 digest is the MSO's valueDigests entry of its namespace and digestID, once",
    code: 'vp-disclosure-invalid',
  },
  {
    rule: 'W9',
    id: 'device-signature',
    name: "the device signature verifies with the MSO's deviceKey over DeviceAuthentication with this request's SessionTranscript (OpenID4VPHandover: client_id, nonce, encryption key thumbprint, response_uri)",
    code: 'vp-key-binding-invalid',
  },
  { rule: 'W14', id: 'dcql', name: 'the disclosed elements satisfy the DCQL query', code: 'vp-query-unmet' },
  {
    rule: 'W15',
    id: 'status',
    name: "the MSO's status reference (status.status_list): its Token Status List entry is 0 (valid) — the list fetched from a registered node of the issuer's country and signed by the mdoc's own certificate; without one, only an mdoc valid at most 24 h (VCR_01b)",
    code: 'vp-credential-revoked',
  },
] as const satisfies readonly RuleDefinition[];

type MdocRuleId = (typeof MDOC_PRESENTATION_RULES)[number]['id'];

/** What the verifier expects of one mdoc presentation: its request's transcript inputs and query. */
export interface ExpectedMdocPresentation {
  nonce: string;
  clientId: string;
  responseUri: string;
  /** direct_post.jwt: the request's encryption key (its thumbprint is in the SessionTranscript). */
  encryptionJwk?: JWK | undefined;
  dcql?: { query: DcqlQuery; credentialQueryId: string } | undefined;
  /** Accepted doctypes; default: the query's doctype_value, else eu.europa.ec.eudi.pid.1. */
  doctypes?: string[] | undefined;
}

const ES256 = -7;

/**
 * Validates one mdoc presentation (a base64url `DeviceResponse`, OpenID4VP 1.0 Annex B.2), every rule named, the
 * first failure stopping the run. Parsing, the COSE structures, the digests and the DeviceAuthentication bytes are
 * @animo-id/mdoc's; the chain is judged by the node's trusted lists, and the SessionTranscript is the 1.0 handover
 * built from this verifier's own request.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#appendix-B.2
 */
export async function verifyMdocPresentation(
  presentation: string,
  expected: ExpectedMdocPresentation,
  ctx: VerifyContext,
): Promise<PresentationVerdict> {
  try {
    return await judge(presentation, expected, ctx);
  } catch (e) {
    // A structure the library cannot read past W1 (a bad COSE_Key, a member of the wrong type): malformed, not a 500.
    const rec = createCheckRecorder<MdocRuleId>(MDOC_PRESENTATION_RULES);
    const reason = `The presentation cannot be read: ${(e as Error).message.slice(0, 200)}.`;
    rec.fail('structure', reason);
    return { valid: false, checks: rec.finish(), failure: { rule: 'W1', code: 'vp-malformed', reason } };
  }
}

async function judge(
  presentation: string,
  expected: ExpectedMdocPresentation,
  ctx: VerifyContext,
): Promise<PresentationVerdict> {
  const rec = createCheckRecorder<MdocRuleId>(MDOC_PRESENTATION_RULES);
  const done = (extra: Partial<PresentationVerdict> = {}): PresentationVerdict => {
    const checks = rec.finish();
    const failed = checks.find((c) => c.outcome === 'failed');
    return failed
      ? { valid: false, checks, failure: { rule: failed.rule, code: failed.code as never, reason: failed.reason } }
      : { valid: true, checks, ...extra };
  };
  const now = ctx.clock.now();
  const skewMs = ctx.skewSeconds * 1000;
  const letThrough = (id: MdocRuleId, fault: LenientWalletFault, reason: string): boolean => {
    if (ctx.faults?.fire(fault, undefined, { check: id })) {
      rec.letThrough(id, fault, reason);
      return true;
    }
    rec.fail(id, reason);
    return false;
  };

  // W1 structure
  let doc: DeviceSignedDocument;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(presentation)) throw new Error('not base64url');
    const response = parseDeviceResponse(Buffer.from(presentation, 'base64url'));
    if (response.version !== '1.0' || response.status !== MDocStatus.OK)
      throw new Error(`version ${response.version}, status ${response.status}`);
    if (response.documents.length !== 1)
      throw new Error(`${response.documents.length} documents (one per credential query, HAIP §5.3.1)`);
    doc = response.documents[0] as DeviceSignedDocument;
    if (!doc.deviceSigned?.deviceAuth?.deviceSignature) throw new Error('no deviceSignature (deviceMac is not taken)');
  } catch (e) {
    rec.fail('structure', `Not a DeviceResponse of one signed document: ${(e as Error).message.slice(0, 200)}.`);
    return done();
  }
  const issuerAuth = doc.issuerSigned.issuerAuth;
  const chain = issuerAuth.x5chain ?? [];
  if (issuerAuth.alg !== ES256 || doc.deviceSigned.deviceAuth.deviceSignature?.alg !== ES256) {
    rec.fail('structure', 'issuerAuth and deviceSignature must be COSE_Sign1 with alg ES256 (-7) (HAIP §7).');
    return done();
  }
  if (chain.length === 0) {
    rec.fail('structure', 'The issuer key must come from the x5chain header (label 33) (ISO/IEC 18013-5 §9.1.2.4).');
    return done();
  }
  let mso: ReturnType<() => typeof issuerAuth.decodedPayload>;
  try {
    mso = issuerAuth.decodedPayload;
    if (!mso.validityInfo || !mso.valueDigests || !mso.deviceKeyInfo?.deviceKey) throw new Error('members');
  } catch {
    rec.fail('structure', 'The MSO lacks validityInfo, valueDigests or deviceKeyInfo.');
    return done();
  }
  rec.pass('structure', `DeviceResponse, docType ${doc.docType}, x5chain of ${chain.length}, ES256.`);

  // W2 chain through the trusted lists
  let leaf: X509Certificate;
  const pems: string[] = [];
  try {
    for (const der of chain) pems.push(new X509Certificate(der).toString());
    leaf = new X509Certificate(chain[0] as Uint8Array);
  } catch {
    rec.fail('chain', 'An x5chain entry is not a certificate.');
    return done();
  }
  const cert = ctx.validateCertificate(pems[0] as string, pems.slice(1), { at: now, usage: ['digitalSignature'] });
  let country = cert.country;
  if (!cert.valid) {
    const why = `The issuer's certificate "${leaf.subject.split('\n').pop()}" does not validate against the trusted lists: ${cert.failure?.reason ?? 'refused'}`;
    if (!letThrough('chain', 'lenient.wallet.untrusted-issuer', why)) return done();
    country = /^C=(.+)$/m.exec(leaf.subject)?.[1];
  } else
    rec.pass(
      'chain',
      `Issuer certificate validated against the trusted list of ${cert.country ?? '?'} (anchor ${cert.anchor ?? '?'}).`,
    );

  // W4 issuer signature
  const verified = await mdocContext.cose.sign1.verify({
    sign1: issuerAuth,
    jwk: leaf.publicKey.export({ format: 'jwk' }) as JWK,
  });
  if (!verified) {
    rec.fail('signature', "The MSO's signature does not verify with the x5chain leaf key.");
    return done();
  }
  rec.pass('signature', 'COSE_Sign1 ES256 verified with the x5chain leaf key.');

  // W5 validity
  const { signed, validFrom, validUntil } = mso.validityInfo;
  const t = now.getTime();
  const certFrom = new Date(leaf.validFrom).getTime();
  const certTo = new Date(leaf.validTo).getTime();
  if (!(signed instanceof Date) || !(validFrom instanceof Date) || !(validUntil instanceof Date)) {
    rec.fail('validity', 'validityInfo must give signed, validFrom and validUntil as tdate.');
    return done();
  }
  if (signed.getTime() - skewMs > t || signed.getTime() < certFrom || signed.getTime() > certTo) {
    rec.fail(
      'validity',
      `Signed ${signed.toISOString()}: in the future or outside the certificate's validity; it is ${now.toISOString()}.`,
    );
    return done();
  }
  if (validFrom.getTime() - skewMs > t || validUntil.getTime() + skewMs < t) {
    rec.fail('validity', `Valid ${validFrom.toISOString()} – ${validUntil.toISOString()}; it is ${now.toISOString()}.`);
    return done();
  }
  rec.pass('validity', `Valid until ${validUntil.toISOString()}.`);

  // W6 doctype
  const doctypes = expected.doctypes ?? [PID_DOCTYPE];
  if (doc.docType !== mso.docType || !doctypes.includes(mso.docType)) {
    rec.fail(
      'doctype',
      `docType ${JSON.stringify(doc.docType)} (MSO ${JSON.stringify(mso.docType)}) is not one of ${doctypes.join(', ')}.`,
    );
    return done();
  }
  rec.pass('doctype', `docType ${mso.docType}.`);

  // W7 digests
  let digestsLetThrough = false;
  const defective = (defect: string) => {
    if (digestsLetThrough || !letThrough('digests', 'lenient.wallet.disclosures', defect)) return true;
    digestsLetThrough = true;
    return false;
  };
  if (mso.digestAlgorithm !== 'SHA-256') {
    rec.fail('digests', `digestAlgorithm ${mso.digestAlgorithm} is not accepted (SHA-256).`);
    return done();
  }
  const claims: Record<string, Record<string, unknown>> = {};
  let count = 0;
  for (const [ns, items] of doc.issuerSigned.nameSpaces) {
    const ids = new Set<number>();
    const names = new Set<string>();
    claims[ns] = {};
    for (const item of items) {
      count++;
      if (ids.has(item.digestID) || names.has(item.elementIdentifier)) {
        if (defective(`"${ns}/${item.elementIdentifier}" is presented twice.`)) return done();
        continue;
      }
      ids.add(item.digestID);
      names.add(item.elementIdentifier);
      if (!(await item.isValid(ns, issuerAuth, mdocContext))) {
        const why = `The digest of "${ns}/${item.elementIdentifier}" is not the MSO's valueDigests entry ${item.digestID}: added or tampered.`;
        if (defective(why)) return done();
        continue;
      }
      (claims[ns] as Record<string, unknown>)[item.elementIdentifier] = mdocValueToJson(item.elementValue);
    }
  }
  if (!digestsLetThrough) rec.pass('digests', `${count} element(s), each matching its MSO digest.`);

  // W9 device signature over this request's SessionTranscript
  const transcript = await openid4vpSessionTranscriptBytes({
    clientId: expected.clientId,
    nonce: expected.nonce,
    responseUri: expected.responseUri,
    encryptionJwk: expected.encryptionJwk,
  });
  const assessments: VerificationAssessment[] = [];
  await new Verifier().verifyDeviceSignature(
    { deviceSigned: doc, sessionTranscriptBytes: transcript, onCheckG: (a) => assessments.push(a) },
    mdocContext,
  );
  const failedDevice = assessments.find((a) => a.status === 'FAILED');
  if (failedDevice || assessments.length === 0) {
    rec.fail(
      'device-signature',
      `The device signature does not verify with the MSO's deviceKey over this request's SessionTranscript: another key signed it, or it answers another request (nonce, client_id, response_uri or encryption key) — a replay. ${failedDevice?.reason ?? ''}`.trim(),
    );
    return done();
  }
  rec.pass('device-signature', "Signed by the MSO's deviceKey over this request's SessionTranscript.");

  // W14 the query
  if (expected.dcql) {
    const result = DcqlPresentationResult.fromDcqlPresentation(
      {
        [expected.dcql.credentialQueryId]: [
          {
            credential_format: 'mso_mdoc',
            doctype: mso.docType,
            namespaces: claims as never,
            cryptographic_holder_binding: true,
          },
        ],
      },
      { dcqlQuery: expected.dcql.query },
    );
    if (!result.can_be_satisfied) {
      rec.fail('dcql', 'The disclosed elements do not satisfy the DCQL query.');
      return done();
    }
  }
  rec.pass('dcql', expected.dcql ? 'The DCQL query is satisfied.' : 'No query given.');

  // W15 status, last: it is the one rule that fetches
  const msoStatus = (mso as unknown as { status?: unknown }).status;
  const revoked = await mdocStatus(msoStatus, {
    lifetimeS: (validUntil.getTime() - validFrom.getTime()) / 1000,
    country,
    leaf,
    leafDer: chain[0] as Uint8Array,
    ctx,
  });
  if (revoked) {
    if (!letThrough('status', 'lenient.wallet.status', revoked)) return done();
  } else
    rec.pass('status', msoStatus ? 'The status list says valid.' : 'Short-lived mdoc (at most 24 h) without status.');

  return done({
    credential: {
      issuer:
        leaf.subject
          .split('\n')
          .find((l) => l.startsWith('O='))
          ?.slice(2) ?? leaf.subject,
      country: country ?? '?',
      vct: mso.docType,
      claims,
      format: 'mso_mdoc',
    },
  });
}

/**
 * W15 for an mdoc: the MSO's `status` → `status_list` `{idx, uri}` (draft-ietf-oauth-status-list §6.3, ISO/IEC
 * 18013-5 2nd ed.) read as the SD-JWT VC's is ({@link checkStatus}: a statuslist+jwt signed by the credential's own
 * certificate, entry 0). An mdoc names no issuer URL, so the list is fetched only from a registered node of the
 * country whose CA certified the issuer (never from an address the credential chose elsewhere). Returns undefined
 * when the status is valid (or a short-lived mdoc has none), else why not.
 */
async function mdocStatus(
  status: unknown,
  o: { lifetimeS: number; country: string | undefined; leaf: X509Certificate; leafDer: Uint8Array; ctx: VerifyContext },
): Promise<string | undefined> {
  const nowS = Math.floor(o.ctx.clock.now().getTime() / 1000);
  const ref = msoStatusReference(status);
  if (status !== undefined && !ref) return 'status must be a map with a status_list entry (TSL §6.3).';
  let origin = '';
  if (ref) {
    try {
      origin = new URL(String(ref.uri)).origin;
    } catch {
      return 'status.status_list.uri is not a URL (TSL §6.3).';
    }
    const node = await o.ctx.resolveIssuer(origin, o.ctx.fetcher);
    if (!node || node.country !== o.country)
      return `The status list ${String(ref.uri).slice(0, 120)} is not at a registered node of ${o.country ?? '?'}: not fetched.`;
  }
  return checkStatus({
    payload: ref ? { status: { status_list: ref } } : { iat: nowS - o.lifetimeS, exp: nowS },
    issuer: origin,
    leaf: o.leaf.publicKey,
    x5cLeaf: Buffer.from(o.leafDer).toString('base64'),
    nowS,
    skewSeconds: o.ctx.skewSeconds,
    fetcher: o.ctx.fetcher,
  });
}

/** The format a DCQL credential query asks for (default dc+sd-jwt). */
export function queryFormatOf(q: DcqlQuery | undefined, id: string | undefined): 'dc+sd-jwt' | 'mso_mdoc' {
  const cq = q?.credentials.find((c) => c.id === id) as { format?: string } | undefined;
  return cq?.format === 'mso_mdoc' ? 'mso_mdoc' : 'dc+sd-jwt';
}

/** The doctypes an mso_mdoc credential query accepts (`meta.doctype_value`; default the PID's). */
export function doctypesOf(q: DcqlQuery | undefined, id: string | undefined): string[] {
  const cq = q?.credentials.find((c) => c.id === id) as { meta?: { doctype_value?: string } } | undefined;
  return [cq?.meta?.doctype_value ?? PID_DOCTYPE];
}
