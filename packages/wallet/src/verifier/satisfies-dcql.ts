import { DcqlPresentationResult, type DcqlQuery } from 'dcql';

/** One presented SD-JWT VC as the dcql library reads it (its `DcqlSdJwtVcCredential`). */
export interface DcqlSdJwtPresentation {
  credential_format: string;
  vct: string;
  claims: Record<string, unknown>;
  cryptographic_holder_binding: boolean;
}

/**
 * Does one presented SD-JWT VC satisfy the DCQL query as the answer to its credential query `credentialQueryId`?
 * The answer of the dcql library's `DcqlPresentationResult.fromDcqlPresentation(…).can_be_satisfied`, always.
 *
 * That library builds its valibot parsers anew for every presentation (a schema per claim, the messages formatted
 * before any input is read): 15–19 % of a presentation's validation time under a CPU profile, for a query of three
 * claims, more than the verifier's own checks. For the query the verifier asks almost always — one `dc+sd-jwt`
 * credential query, no `credential_sets`, `claim_sets` or `trusted_authorities`, each claim path made of names —
 * the same rules are read here directly from the query, exactly as the library's parsers apply them: the format and
 * (when the query lists them) the vct by equality, holder binding, and each path walked as valibot's `object` walks
 * it (`key in value` on any non-null object, arrays too; the end not null nor undefined, or equal to one of the
 * claim's `values`), each claim ending at a value that is no object nor array. Any other query or claim goes to
 * the library as before (a test compares both on varied inputs).
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-6 (DCQL)
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-7 (claims path pointers)
 */
export function satisfiesDcql(
  query: DcqlQuery,
  credentialQueryId: string,
  presentation: DcqlSdJwtPresentation,
): boolean {
  const direct = simpleQueryVerdict(query, credentialQueryId, presentation);
  if (direct !== undefined) return direct;
  return DcqlPresentationResult.fromDcqlPresentation(
    { [credentialQueryId]: [presentation as never] },
    { dcqlQuery: query },
  ).can_be_satisfied;
}

/**
 * A claim name walked directly: a string that names nothing an object or array inherits. The library merges what
 * each claim matched into a fresh object and throws on an inherited member (`constructor`, `toString`, `length`…)
 * where it expects a plain one: such a path goes to the library, which answers (or throws) as it always did.
 */
function isPlainName(step: unknown): step is string {
  return typeof step === 'string' && !(step in Object.prototype) && !(step in Array.prototype);
}

/** The verdict on a query of the simple shape (see {@link satisfiesDcql}); undefined for any other query. */
function simpleQueryVerdict(
  query: DcqlQuery,
  credentialQueryId: string,
  p: DcqlSdJwtPresentation,
): boolean | undefined {
  if (query.credentials.length !== 1 || query.credential_sets !== undefined) return undefined;
  const cq = query.credentials[0];
  if (!cq || cq.id !== credentialQueryId || cq.format !== 'dc+sd-jwt') return undefined;
  if (cq.trusted_authorities !== undefined || cq.claim_sets !== undefined) return undefined;
  // The library's messages show the format and vct it was given: anything but a string goes to it.
  if (typeof p.credential_format !== 'string' || typeof p.vct !== 'string') return undefined;
  const claims = cq.claims ?? [];
  for (const claim of claims) for (const step of claim.path) if (!isPlainName(step)) return undefined;

  // The claims query, as the library runs it: every claim (no claim_sets), each path of names walked as valibot's
  // object schema walks it. The library formats a message for every claim that fails, with the value it found when
  // the claim lists `values` (an object there may throw: then the library answers, throwing as it did); when all
  // match, it deep-merges what they matched, which throws on some members of an object or array (see isPlainName):
  // then too the library answers. Otherwise a claim that fails makes the answer false.
  let failed = false;
  let objectMatched = false;
  for (const claim of claims) {
    let value: unknown = p.claims;
    let found = true;
    for (const name of claim.path as string[]) {
      if (!value || typeof value !== 'object' || !(name in value)) {
        found = false;
        break;
      }
      value = (value as Record<string, unknown>)[name];
    }
    const values = claim.values as readonly unknown[] | undefined;
    const isObject = typeof value === 'object' && value !== null;
    if (!found) failed = true;
    else if (values) {
      if (isObject) return undefined;
      if (!values.some((v) => v === value)) failed = true;
    } else if (value === null || value === undefined) failed = true;
    else if (isObject) objectMatched = true;
  }
  if (failed) return false;
  if (objectMatched) return undefined;

  // The meta query: format, vct, holder binding (the library's getSdJwtVcMetaParser).
  if (p.credential_format !== cq.format) return false;
  const vctValues = cq.meta?.vct_values;
  if (vctValues ? !vctValues.includes(p.vct) : typeof p.vct !== 'string') return false;
  const binding = p.cryptographic_holder_binding as unknown;
  if (cq.require_cryptographic_holder_binding ? binding !== true : typeof binding !== 'boolean') return false;
  return true;
}
