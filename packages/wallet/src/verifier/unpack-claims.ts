/** A disclosure as the verifier parsed it (W7): its claim name (undefined for an array element) and value. */
export interface ParsedDisclosure {
  name: unknown;
  value: unknown;
}

/**
 * The claims of an SD-JWT with its disclosures put in place (RFC 9901 §7.1 step 3), from the disclosures the
 * verifier has already decoded and hashed once (by digest): an object's `_sd` digests become its disclosed members,
 * an array's `{"...": digest}` elements their disclosed values (an element whose digest is not disclosed goes), all
 * the way down, and the top-level `_sd_alg` goes. Exactly what @sd-jwt/decode 0.19's `unpack` gives (its
 * `getClaims`, which the verifier called before and which decoded, hashed and deep-copied the whole SD-JWT once
 * more): a disclosed member replaces a plain one of the same name, a digest disclosed by an element disclosure
 * adds nothing to an object, a `...` member of an object is not looked into. The payload and the disclosed values
 * are not modified (the result is new where anything was unpacked).
 * @see https://www.rfc-editor.org/rfc/rfc9901#section-7.1
 */
export function unpackClaims(
  payload: Record<string, unknown>,
  byDigest: ReadonlyMap<string, ParsedDisclosure>,
): Record<string, unknown> {
  const { _sd_alg: _alg, ...rest } = payload;
  return unpackObject(rest, byDigest);
}

function unpack(value: unknown, byDigest: ReadonlyMap<string, ParsedDisclosure>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (!Array.isArray(value)) return unpackObject(value as Record<string, unknown>, byDigest);
  const out: unknown[] = [];
  for (const item of value) {
    const digest = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['...'] : undefined;
    if (!digest) out.push(unpack(item, byDigest));
    else {
      const disclosed = typeof digest === 'string' ? byDigest.get(digest) : undefined;
      if (disclosed) out.push(unpack(disclosed.value, byDigest));
    }
  }
  return out;
}

/** Sets a member as JSON.parse does: a `__proto__` member stays a member (an assignment would set the prototype). */
export function own(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function unpackObject(obj: Record<string, unknown>, byDigest: ReadonlyMap<string, ParsedDisclosure>) {
  const out: Record<string, unknown> = {};
  let sd: unknown;
  for (const k in obj) {
    const v = obj[k];
    if (k === '_sd') sd = v;
    else own(out, k, k === '...' || typeof v !== 'object' ? v : unpack(v, byDigest));
  }
  if (sd) {
    // @sd-jwt/decode iterates whatever `_sd` is (a string by its characters; a number throws), as here.
    for (const digest of sd as Iterable<unknown>) {
      const disclosed = typeof digest === 'string' ? byDigest.get(digest) : undefined;
      // A disclosure named __proto__ set the prototype of @sd-jwt/decode's scratch object: it never became a claim.
      if (disclosed?.name && disclosed.name !== '__proto__')
        out[disclosed.name as string] = unpack(disclosed.value, byDigest);
    }
  }
  return out;
}
