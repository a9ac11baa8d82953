import { createHash, X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';

/** The `typ` of a signed OpenID4VP request object (§5, RFC 9101). */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';

/** The `x509_hash` client identifier of a certificate: b64url SHA-256 of its DER (OpenID4VP §5.9.3). */
export function x509HashOf(derB64: string): string {
  return createHash('sha256').update(Buffer.from(derB64, 'base64')).digest('base64url');
}

/** Judges the verifier's access certificate (PEM leaf, PEM chain) by a trust view: valid, or why not. */
export type TrustVerifierCertificate = (
  certPem: string,
  chainPem: string[],
) => Promise<{ valid: boolean; reason?: string | undefined }>;

const pemOf = (b64: string) =>
  `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;

/**
 * The wallet's check of a request object fetched from `request_uri` (§5, §5.9.3, §5.10.1): `typ`
 * oauth-authz-req+jwt, ES256, signed by the `x5c` leaf, whose SHA-256 is the `x509_hash:` client_id — or, for an
 * `x509_san_dns:` client_id, which carries its DNS name as a dNSName SAN, the response URI's host being that name;
 * the JWT's `client_id` is the one of the URL; with `trust`, the access certificate and its chain are judged by that trust view
 * (RPA_02: a relying party the trusted lists know). Returns the parameters, or throws why not.
 */
export async function verifyRequestObject(
  jwt: string,
  clientId: string,
  trust?: TrustVerifierCertificate,
): Promise<Record<string, unknown>> {
  const header = decodeProtectedHeader(jwt);
  if (header.typ !== REQUEST_OBJECT_TYP) throw new Error(`the request object's typ is not ${REQUEST_OBJECT_TYP}`);
  if (header.alg !== 'ES256') throw new Error('the request object is not ES256');
  const leaf = Array.isArray(header.x5c) ? header.x5c[0] : undefined;
  if (typeof leaf !== 'string') throw new Error('the request object has no x5c');
  const leafCert = new X509Certificate(Buffer.from(leaf, 'base64'));
  if (clientId.startsWith('x509_san_dns:')) sanDnsBinding(leafCert, clientId.slice('x509_san_dns:'.length));
  else if (!clientId.startsWith('x509_hash:') || clientId.slice('x509_hash:'.length) !== x509HashOf(leaf))
    throw new Error('the x5c leaf is not the certificate the x509_hash client_id names');
  const { payload } = await compactVerify(jwt, leafCert.publicKey, { algorithms: ['ES256'] });
  const params = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  if (params.client_id !== clientId) throw new Error("the request object's client_id is not the request URL's");
  if (clientId.startsWith('x509_san_dns:')) sanDnsResponseUri(params, clientId.slice('x509_san_dns:'.length));
  if (trust) await judgeAccessCertificate(header.x5c as unknown[], trust);
  return params;
}

/**
 * The verifier's access certificate (`x5c` of its request object: leaf, then chain) judged by a trust view (RPA_02:
 * a relying party the trusted lists know); throws why not.
 */
export async function judgeAccessCertificate(x5c: unknown[], trust: TrustVerifierCertificate): Promise<void> {
  const [leaf, ...chain] = x5c.filter((c): c is string => typeof c === 'string');
  if (!leaf) throw new Error('the request object has no x5c');
  const verdict = await trust(pemOf(leaf), chain.map(pemOf));
  if (!verdict.valid)
    throw new Error(
      `the verifier's access certificate is not trusted: ${verdict.reason ?? 'refused by the trust view'}`,
    );
}

/** The dNSName entries of a certificate's subjectAltName (lower case). */
export function dnsNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4).toLowerCase());
}

/**
 * `x509_san_dns`: the client_id without its prefix is a DNS name, and the leaf certificate of `x5c` carries it as a
 * dNSName subjectAltName (OpenID4VP 1.0 §5.9.3).
 */
function sanDnsBinding(leaf: X509Certificate, dnsName: string): void {
  if (!dnsName) throw new Error('the x509_san_dns client_id names no DNS name');
  const names = dnsNamesOf(leaf);
  if (!names.includes(dnsName.toLowerCase()))
    throw new Error(
      `the x5c leaf has no dNSName subjectAltName ${dnsName} (it has ${names.join(', ') || 'none'}): not the x509_san_dns client_id`,
    );
}

/**
 * `x509_san_dns` without a list of trusted client identifiers: the host of the response URI must be the client_id's
 * DNS name (OpenID4VP 1.0 §5.9.3), so that a certificate for one host cannot send the answer to another.
 */
function sanDnsResponseUri(params: Record<string, unknown>, dnsName: string): void {
  const uri = params.response_uri ?? params.redirect_uri;
  let host: string | undefined;
  try {
    host = typeof uri === 'string' ? new URL(uri).hostname.toLowerCase() : undefined;
  } catch {
    host = undefined;
  }
  if (host !== dnsName.toLowerCase())
    throw new Error(
      `the response_uri's host ${host ?? '(none)'} is not ${dnsName}, the x509_san_dns client_id's DNS name (OpenID4VP §5.9.3)`,
    );
}
