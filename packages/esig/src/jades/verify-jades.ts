import { createVerify, type X509Certificate } from 'node:crypto';
import { JWS_ALGORITHMS, keyFitsScheme } from '../common/algorithms.ts';
import { derToPem, parseX509, publicKeyOf, sha } from '../common/certificates.ts';
import { emptyOutcome, type FormatOutcome, failed, passed, type SignatureInput } from '../common/signature-facts.ts';
import { b64u, fromB64u, JADES } from './jades-constants.ts';

const RULE = 'ETSI TS 119 182-1';
const MAX_CHARS = 8 * 1024 * 1024;

class FormatError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether the JSON text has a ":" at `from`, after optional whitespace (a string token is a member name). */
function followedByColon(json: string, from: number): boolean {
  COLON.lastIndex = from;
  return COLON.test(json);
}
const COLON = /\s*:/y;

/** Top-level member names that occur twice in a JSON object text (RFC 7515 §5.2: must be rejected). */
function duplicateMember(json: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  const re = /"(?:[^"\\]|\\.)*"|[{}[\]]/g;
  let m: RegExpExecArray | null = re.exec(json);
  while (m) {
    const tok = m[0];
    if (tok === '{' || tok === '[') depth++;
    else if (tok === '}' || tok === ']') depth--;
    else if (depth === 1 && followedByColon(json, re.lastIndex)) {
      if (seen.has(tok)) return tok.slice(1, -1);
      seen.add(tok);
    }
    m = re.exec(json);
  }
  return undefined;
}

/**
 * Reads and verifies a JAdES signature: compact serialization (B-B) or flattened / single-signature general
 * JSON serialization (B-T, `etsiU` with `sigTst`). Enforced: canonical base64url, no duplicate header members,
 * `alg` from the allow-list (never `none` or HMAC), every `crit` entry understood (`sigT`, `sigD`), no `jwk`,
 * `jku` or `x5u` (the key comes from `x5c`, validated against the trust view), `x5t#S256` equal to the hash of
 * `x5c[0]`, and for `sigD` (ObjectIdByURIHash) the hash of the supplied detached content.
 * @see https://www.etsi.org/deliver/etsi_ts/119100_119199/11918201/
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export function readJades(input: SignatureInput): FormatOutcome {
  const fo = emptyOutcome('JAdES');
  try {
    read(input, fo);
  } catch (e) {
    fo.formatFailure =
      e instanceof FormatError
        ? e.message
        : `The JAdES signature cannot be read: ${e instanceof Error ? e.message.slice(0, 160) : 'bad structure'}.`;
    fo.formatChecks.push(failed('format', fo.formatFailure, RULE));
  }
  return fo;
}

function read(input: SignatureInput, fo: FormatOutcome): void {
  const raw = typeof input.signature === 'string' ? input.signature : Buffer.from(input.signature).toString('utf8');
  if (raw.length > MAX_CHARS) throw new FormatError(`The JWS is ${raw.length} characters; the limit is ${MAX_CHARS}.`);
  const text = raw.trim();
  let protectedB64: string;
  let payloadB64: string | undefined;
  let signatureB64: string;
  let unprotected: Record<string, unknown> | undefined;
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FormatError('The JWS JSON serialization is not valid JSON.');
    }
    if (!isObject(json)) throw new FormatError('The JWS JSON serialization must be an object.');
    let sigObj: Record<string, unknown> = json;
    if (Array.isArray(json.signatures)) {
      if (json.signatures.length !== 1 || !isObject(json.signatures[0]))
        throw new FormatError('Only a JWS with exactly one signature is supported.');
      sigObj = json.signatures[0];
    }
    if (typeof sigObj.protected !== 'string' || typeof sigObj.signature !== 'string')
      throw new FormatError('The JWS JSON serialization needs "protected" and "signature" strings.');
    protectedB64 = sigObj.protected;
    signatureB64 = sigObj.signature;
    if (json.payload !== undefined && typeof json.payload !== 'string')
      throw new FormatError('"payload" must be a string.');
    payloadB64 = json.payload as string | undefined;
    if (sigObj.header !== undefined) {
      if (!isObject(sigObj.header)) throw new FormatError('"header" must be an object.');
      unprotected = sigObj.header;
    }
  } else {
    const parts = text.split('.');
    if (parts.length !== 3)
      throw new FormatError(`A compact JWS has three base64url parts separated by dots; this has ${parts.length}.`);
    [protectedB64, payloadB64, signatureB64] = parts as [string, string, string];
  }
  const headerBytes = fromB64u(protectedB64);
  const sigBytes = fromB64u(signatureB64);
  if (!headerBytes || !sigBytes || (payloadB64 !== undefined && fromB64u(payloadB64) === undefined))
    throw new FormatError('A JWS part is not canonical base64url (RFC 7515 §2).');
  if (sigBytes.length === 0) throw new FormatError('The JWS signature is empty (stripped).');
  const headerText = headerBytes.toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    throw new FormatError('The protected header is not JSON.');
  }
  if (!isObject(header)) throw new FormatError('The protected header must be a JSON object.');
  const dup = duplicateMember(headerText);
  if (dup) throw new FormatError(`The protected header repeats the member "${dup.slice(0, 30)}".`);
  const alg = header.alg;
  if (typeof alg !== 'string') throw new FormatError('The protected header has no "alg".');
  const scheme = JWS_ALGORITHMS[alg];
  if (!scheme)
    throw new FormatError(
      `The algorithm "${alg.slice(0, 20)}" is not accepted (allowed: ${Object.keys(JWS_ALGORITHMS).join(', ')}; never none or HMAC).`,
    );
  fo.signatureScheme = scheme;
  fo.digestAlgorithms.push(scheme.hash);
  for (const p of ['jwk', 'jku', 'x5u']) {
    if (p in header || (unprotected && p in unprotected))
      throw new FormatError(
        `The header parameter "${p}" is refused: the signer's key comes from x5c, validated against the trusted lists.`,
      );
  }
  if (header.b64 === false) throw new FormatError('Unencoded payloads (b64: false) are not supported.');
  if (header.crit !== undefined) {
    if (!Array.isArray(header.crit) || header.crit.length === 0 || header.crit.some((c) => typeof c !== 'string'))
      throw new FormatError('"crit" must be a non-empty array of strings (RFC 7515 §4.1.11).');
    for (const c of header.crit as string[]) {
      if (!JADES.understoodCrit.includes(c))
        throw new FormatError(
          `The critical header parameter "${c.slice(0, 30)}" is not understood (RFC 7515 §4.1.11).`,
        );
      if (!(c in header))
        throw new FormatError(`"crit" lists "${c.slice(0, 30)}", which is not in the protected header.`);
    }
  }
  fo.formatChecks.push(
    passed('structure', `A ${text.startsWith('{') ? 'JSON' : 'compact'} JWS with alg ${alg}.`, RULE),
  );
  if (typeof header.sigT === 'string') {
    const d = new Date(header.sigT);
    if (Number.isNaN(d.getTime())) throw new FormatError(`sigT "${header.sigT.slice(0, 40)}" is not a date-time.`);
    fo.claimedSigningTime = d;
  }

  // ISC: x5c and x5t#S256.
  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0) {
    fo.iscFailure = 'The JWS carries no x5c certificate chain: the signing certificate cannot be identified.';
    fo.iscChecks.push(failed('signing certificate', fo.iscFailure, `${RULE} §5.1.8`));
    return;
  }
  const ders = x5c
    .slice(0, 8)
    .map((c) => (typeof c === 'string' && /^[A-Za-z0-9+/]+=*$/.test(c) ? Buffer.from(c, 'base64') : undefined));
  if (ders.some((d) => !d)) throw new FormatError('An x5c entry is not base64 (RFC 7515 §4.1.6).');
  let signer: X509Certificate;
  try {
    signer = parseX509(ders[0] as Buffer);
  } catch {
    throw new FormatError('The first x5c certificate cannot be parsed.');
  }
  fo.signingCertPem = signer.toString();
  fo.chainPem = (ders.slice(1) as Buffer[]).map(derToPem);
  const x5t = header['x5t#S256'];
  if (typeof x5t !== 'string') {
    fo.iscFailure =
      'The protected header has no x5t#S256: nothing signed binds the signature to its certificate (JAdES B-B requires it).';
  } else if (x5t !== b64u(sha('sha256', ders[0] as Buffer))) {
    fo.iscFailure =
      'x5t#S256 is not the hash of the x5c signing certificate: the signature points to another certificate.';
  }
  fo.iscChecks.push(
    fo.iscFailure
      ? failed('signing certificate', fo.iscFailure, `${RULE} §5.2.2`)
      : passed('signing certificate', 'x5t#S256 is the SHA-256 hash of the x5c certificate.', `${RULE} §5.2.2`),
  );

  // Signed data.
  let payload = payloadB64 ?? '';
  if (isObject(header.sigD)) {
    fo.packaging = 'detached';
    const sigD = header.sigD;
    if (sigD.mId !== JADES.objectIdByUriHash)
      throw new FormatError(`sigD mechanism "${String(sigD.mId).slice(0, 60)}" is not supported.`);
    const pars = sigD.pars;
    const hashV = sigD.hashV;
    if (
      !Array.isArray(pars) ||
      !Array.isArray(hashV) ||
      pars.length !== 1 ||
      hashV.length !== 1 ||
      typeof hashV[0] !== 'string'
    )
      throw new FormatError('sigD must reference exactly one object with one hash.');
    const hashM = sigD.hashM;
    const hashName =
      hashM === 'S256' ? 'sha256' : hashM === 'S384' ? 'sha384' : hashM === 'S512' ? 'sha512' : undefined;
    if (!hashName) throw new FormatError(`sigD hashM "${String(hashM).slice(0, 10)}" is not supported.`);
    fo.digestAlgorithms.push(hashName);
    if (payload !== '') throw new FormatError('With sigD the JWS payload must be empty (detached).');
    const name = String(pars[0]);
    if (!input.detachedContent) {
      fo.signedDataNotFound = `The signature covers the detached object "${name.slice(0, 80)}", which was not supplied: send it as detachedContent.`;
      fo.cvChecks.push(failed('sigD', fo.signedDataNotFound, `${RULE} §5.2.8`));
    } else {
      const actual = b64u(sha(hashName, input.detachedContent));
      if (actual !== hashV[0]) {
        fo.hashFailure = `The hash of the detached content does not match the sigD hash for "${name.slice(0, 80)}": the content was changed after signing.`;
        fo.cvChecks.push(failed('sigD', fo.hashFailure, `${RULE} §5.2.8`));
      } else
        fo.cvChecks.push(
          passed('sigD', `The ${hashName.toUpperCase()} hash of "${name.slice(0, 80)}" matches.`, `${RULE} §5.2.8`),
        );
      fo.signedData.push({
        reference: name,
        digestAlgorithm: hashName,
        digest: sha(hashName, input.detachedContent).toString('hex'),
      });
    }
  } else if (payload === '') {
    fo.packaging = 'detached';
    if (!input.detachedContent) {
      fo.signedDataNotFound =
        'The JWS payload is detached (RFC 7515 Appendix F) and was not supplied: send it as detachedContent.';
      fo.cvChecks.push(failed('payload', fo.signedDataNotFound, 'RFC 7515 Appendix F'));
    } else {
      payload = b64u(input.detachedContent);
      fo.signedData.push({
        reference: '(detached payload)',
        digestAlgorithm: 'sha256',
        digest: sha('sha256', input.detachedContent).toString('hex'),
      });
    }
  } else {
    fo.packaging = 'enveloping';
    const entry: FormatOutcome['signedData'][number] = {
      reference: '(JWS payload)',
      digestAlgorithm: 'sha256',
      digest: sha('sha256', fromB64u(payload) as Buffer).toString('hex'),
    };
    if (typeof header.cty === 'string') entry.mimeType = header.cty;
    fo.signedData.push(entry);
  }

  // Signature value.
  const key = publicKeyOf(signer);
  if (!keyFitsScheme(key, scheme))
    fo.sigCryptoFailure = `An ${alg} signature cannot have been made with the certificate's ${key.asymmetricKeyType} key.`;
  else if (!fo.signedDataNotFound) {
    try {
      const v = createVerify(scheme.hash);
      v.update(`${protectedB64}.${payload}`);
      let ok: boolean;
      if (scheme.key === 'ec') {
        const size = { sha256: 64, sha384: 96, sha512: 132 }[scheme.hash as 'sha256'];
        const half = sigBytes.length / 2;
        const zero = (b: Buffer) => b.every((x) => x === 0);
        ok =
          sigBytes.length === size &&
          !zero(sigBytes.subarray(0, half)) &&
          !zero(sigBytes.subarray(half)) &&
          v.verify({ key, dsaEncoding: 'ieee-p1363' }, sigBytes);
      } else if (scheme.key === 'rsa-pss')
        ok = v.verify(
          { key, padding: 6, saltLength: { sha256: 32, sha384: 48, sha512: 64 }[scheme.hash as 'sha256'] },
          sigBytes,
        );
      else ok = v.verify(key, sigBytes);
      if (!ok)
        fo.sigCryptoFailure =
          "The JWS signature does not verify with the x5c certificate's key: the header, the payload or the signature was altered.";
    } catch {
      fo.sigCryptoFailure = 'The JWS signature value is malformed.';
    }
  }
  if (!fo.signedDataNotFound)
    fo.cvChecks.push(
      fo.sigCryptoFailure
        ? failed('signature value', fo.sigCryptoFailure, 'RFC 7515 §5.2')
        : passed('signature value', `The ${alg} signature verifies.`, 'RFC 7515 §5.2'),
    );

  // B-T: etsiU sigTst.
  const etsiU = unprotected?.etsiU;
  if (etsiU !== undefined) {
    if (!Array.isArray(etsiU) || etsiU.length > 16)
      throw new FormatError('etsiU must be an array (at most 16 entries).');
    for (const item of etsiU) {
      let obj: unknown = item;
      if (typeof item === 'string') {
        const bytes = fromB64u(item);
        if (!bytes) throw new FormatError('An etsiU entry is not base64url.');
        try {
          obj = JSON.parse(bytes.toString('utf8'));
        } catch {
          throw new FormatError('An etsiU entry is not JSON.');
        }
      }
      if (!isObject(obj) || !isObject(obj.sigTst)) continue;
      const tokens = obj.sigTst.tstTokens;
      if (!Array.isArray(tokens)) throw new FormatError('sigTst.tstTokens must be an array.');
      for (const t of tokens.slice(0, 4)) {
        if (!isObject(t) || typeof t.val !== 'string') throw new FormatError('A sigTst token has no "val".');
        fo.timestamps.push({ token: Buffer.from(t.val, 'base64'), covered: Buffer.from(signatureB64, 'ascii') });
      }
    }
  }
  fo.level = fo.timestamps.length > 0 ? 'B-T' : 'B-B';
}
