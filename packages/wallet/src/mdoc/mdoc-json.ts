import { DateOnly } from '@animo-id/mdoc';

/**
 * An mdoc element value as JSON: CBOR maps (decoded as `Map`) become objects, byte strings base64url, full-dates
 * (tag 1004) `YYYY-MM-DD`, tdates (tag 0) ISO 8601 — so a verdict or a DCQL match reads `place_of_birth` as
 * `{locality, country}`, not as an empty object.
 */
export function mdocValueToJson(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), mdocValueToJson(v)]));
  if (Array.isArray(value)) return value.map(mdocValueToJson);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  if (value instanceof DateOnly) return value.toISOString();
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mdocValueToJson(v)]));
  return value;
}
