/**
 * Decoded summaries of the artefacts the runner saw, for the reports: never a whole token or document, only what
 * a reader needs to see what was wrong with it (header, the claims that matter, the SAML envelope's facts).
 */
const b64urlJson = (part: string | undefined): Record<string, unknown> | undefined => {
  try {
    const v = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

const CLAIMS = ['iss', 'aud', 'azp', 'sub', 'iat', 'nbf', 'exp', 'nonce', 'acr', 'auth_time', 'jti'] as const;

/** An ID token's header, its relevant claims and whether a signature is present (decoded, NOT verified). */
export function summariseJwt(token: string): { summary: string; artefact: Record<string, unknown> } {
  const [h, p, s] = token.split('.');
  const header = b64urlJson(h) ?? { undecodable: true };
  const payload = b64urlJson(p) ?? {};
  const claims = Object.fromEntries(CLAIMS.filter((k) => k in payload).map((k) => [k, payload[k]]));
  const shown = (v: unknown) => (typeof v === 'string' ? v.slice(0, 80) : JSON.stringify(v));
  const summary = [
    `ID token (unverified) alg=${shown(header.alg)}`,
    header.kid !== undefined ? `kid=${shown(header.kid)}` : '',
    header.typ !== undefined ? `typ=${shown(header.typ)}` : '',
    header.jwk !== undefined ? 'jwk=embedded' : '',
    header.crit !== undefined ? `crit=${shown(header.crit)}` : '',
    `iss=${shown(claims.iss)}`,
    `aud=${shown(claims.aud)}`,
    claims.acr !== undefined ? `acr=${shown(claims.acr)}` : '',
    `signature=${s ? `${s.length} chars` : 'absent'}`,
  ]
    .filter(Boolean)
    .join(' ');
  return { summary, artefact: { header, claims, signaturePresent: Boolean(s) } };
}

const first = (xml: string, re: RegExp) => re.exec(xml)?.[1];
const count = (xml: string, re: RegExp) => [...xml.matchAll(re)].length;

/** A SAML Response's envelope facts (decoded from the form's base64, NOT verified). */
export function summariseSamlResponse(b64: string): { summary: string; artefact: Record<string, unknown> } {
  const xml = Buffer.from(b64, 'base64').toString('utf8');
  const artefact: Record<string, unknown> = {
    destination: first(xml, /<(?:\w+:)?Response\b[^>]*\bDestination="([^"]*)"/),
    inResponseTo: first(xml, /<(?:\w+:)?Response\b[^>]*\bInResponseTo="([^"]*)"/),
    status: first(xml, /<(?:\w+:)?StatusCode\b[^>]*\bValue="([^"]*)"/),
    issuer: first(xml, /<(?:\w+:)?Issuer\b[^>]*>([^<]*)</),
    assertions: count(xml, /<(?:\w+:)?Assertion\b/g),
    encryptedAssertions: count(xml, /<(?:\w+:)?EncryptedAssertion\b/g),
    signatures: count(xml, /<(?:\w+:)?Signature\b[\s>]/g),
    bytes: xml.length,
  };
  const summary = `SAML Response (unverified) Destination=${artefact.destination ?? '-'} InResponseTo=${artefact.inResponseTo ?? '-'} Status=${String(artefact.status ?? '-').replace(/^urn:oasis:names:tc:SAML:2\.0:status:/, '')} Issuer=${artefact.issuer ?? '-'} assertions=${artefact.assertions} encrypted=${artefact.encryptedAssertions} signatures=${artefact.signatures}`;
  return { summary, artefact };
}
