import { createSign } from 'node:crypto';
import { pemToDer, type SigningCredential, sha } from '../common/certificates.ts';
import { b64u, JADES } from './jades-constants.ts';

export interface SignJadesInput {
  credential: SigningCredential;
  content: Uint8Array;
  /** `enveloping`: the content is the JWS payload; `detached`: referenced by `sigD` (hash in the header). */
  packaging: 'enveloping' | 'detached';
  mimeType?: string;
  detachedName?: string;
  signingTime: Date;
  /** Adds a sigTst (signature time-stamp over the base64url signature value) in etsiU: level B-T. */
  timestamp?: (covered: Buffer) => Promise<Buffer>;
  /**
   * TEST ONLY (fault `esig.missing-signing-certificate`): leave out the signed reference to the signing
   * certificate, which every baseline signature must carry.
   */
  omitSigningCertificate?: boolean;
}

/**
 * Creates a JAdES baseline signature (ETSI TS 119 182-1): RS256 with `x5c` (signer certificate and chain),
 * `x5t#S256`, the claimed signing time `sigT` (critical), `typ: jose`; detached content is referenced with
 * `sigD` (ObjectIdByURIHash, SHA-256) and an empty payload. B-B is a compact JWS; B-T is the flattened JSON
 * serialization with the unprotected `etsiU` array holding `sigTst` (an RFC 3161 token over the base64url
 * signature value).
 * @see https://www.etsi.org/deliver/etsi_ts/119100_119199/11918201/ §5.2, §5.3.4
 */
export async function signJades(input: SignJadesInput): Promise<string> {
  const certDer = pemToDer(input.credential.certPem);
  const header: Record<string, unknown> = {
    alg: 'RS256',
    typ: 'jose',
    x5c: [certDer.toString('base64'), ...input.credential.chainPem.map((p) => pemToDer(p).toString('base64'))],
    ...(input.omitSigningCertificate ? {} : { 'x5t#S256': b64u(sha('sha256', certDer)) }),
    sigT: input.signingTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  let payload = '';
  if (input.packaging === 'detached') {
    header.sigD = {
      mId: JADES.objectIdByUriHash,
      pars: [input.detachedName ?? 'document'],
      hashM: 'S256',
      hashV: [b64u(sha('sha256', input.content))],
      ...(input.mimeType ? { ctys: [input.mimeType] } : {}),
    };
    header.crit = ['sigT', 'sigD'];
  } else {
    if (input.mimeType) header.cty = input.mimeType;
    header.crit = ['sigT'];
    payload = b64u(input.content);
  }
  const protectedB64 = b64u(JSON.stringify(header));
  const signer = createSign('sha256');
  signer.update(`${protectedB64}.${payload}`);
  const signature = b64u(signer.sign(input.credential.privateKey));
  if (!input.timestamp) return `${protectedB64}.${payload}.${signature}`;
  const token = await input.timestamp(Buffer.from(signature, 'ascii'));
  const etsiU = [b64u(JSON.stringify({ sigTst: { tstTokens: [{ val: token.toString('base64') }] } }))];
  return JSON.stringify({
    protected: protectedB64,
    ...(input.packaging === 'detached' ? {} : { payload }),
    header: { etsiU },
    signature,
  });
}
