/**
 * What the wallet's trace hops show (the console's inspector and story mode): an SD-JWT VC decoded — the issuer
 * JWT's header and payload, each disclosure by name, the key binding JWT's payload — and a request object decoded.
 * Decoding only (no check: the W rules judge); whatever cannot be read is left out. Test personas only: the data
 * are fictional, as the eID hops' ID token claims are.
 * @see https://www.rfc-editor.org/rfc/rfc9901#section-4
 */
const decodeJson = (b64: string): unknown => {
  try {
    return JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

const jwtParts = (jwt: string): { header?: unknown; claims?: unknown } => {
  const [h, p] = jwt.split('.');
  const header = decodeJson(h ?? '') as Record<string, unknown> | undefined;
  // The certificates of x5c shortened: the artefact says which chain, the inspector need not print it whole.
  if (header && Array.isArray(header.x5c))
    header.x5c = header.x5c.map((c) => (typeof c === 'string' ? `${c.slice(0, 24)}… (${c.length} chars)` : c));
  return { header, claims: decodeJson(p ?? '') };
};

/**
 * An SD-JWT (`<JWT>~<D1>~…~[<KB-JWT>]`) as a trace artefact: `header` and `claims` of the issuer JWT (digests as
 * issued), `disclosures` (name → value; an array element's by `[n]`; a name repeated gets ` #2`), and the
 * `keyBinding` payload when present.
 */
export function sdJwtArtefact(compact: string, type = 'dc+sd-jwt'): Record<string, unknown> {
  const parts = compact.slice(0, 200_000).split('~');
  const issuerJwt = parts[0] ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1] ?? '') : '';
  const disclosures: Record<string, unknown> = {};
  for (const [i, d] of parts.slice(1, last ? -1 : undefined).entries()) {
    if (!d) continue;
    const arr = decodeJson(d);
    if (!Array.isArray(arr)) continue;
    let name = arr.length === 3 ? String(arr[1]) : `[${i}]`;
    for (let n = 2; name in disclosures; n++) name = `${arr.length === 3 ? String(arr[1]) : `[${i}]`} #${n}`;
    disclosures[name] = arr.length === 3 ? arr[2] : arr[1];
  }
  const kb = last ? jwtParts(last) : undefined;
  return {
    type,
    ...jwtParts(issuerJwt),
    disclosures,
    ...(kb?.claims ? { keyBinding: kb.claims } : {}),
  };
}

/** A signed request object (`oauth-authz-req+jwt`) as a trace artefact: its header and its parameters. */
export function requestObjectArtefact(jwt: string): Record<string, unknown> {
  return { type: 'oauth-authz-req+jwt', ...jwtParts(jwt) };
}
