/** A compact JWS split and decoded strictly, before any library sees it. */
export interface ParsedCompactJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The raw signature bytes (empty when the third segment is empty). */
  signature: Buffer;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`, the JWS signing input. */
  signingInput: string;
}

export type ParseResult = { ok: true; jwt: ParsedCompactJwt } | { ok: false; reason: string };

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes one base64url segment strictly: the URL-safe alphabet only, no padding, and the decoded bytes must
 * re-encode to exactly the same text (so trailing bits and other non-canonical forms are refused: one token,
 * one encoding).
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-2 (Base64url Encoding, no padding)
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-3.5 (canonical encoding)
 */
export function decodeBase64UrlStrict(segment: string): Buffer | undefined {
  if (!B64URL.test(segment) || segment.length % 4 === 1) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

/**
 * Finds the first duplicate member name in any object of a JSON text (JSON.parse silently keeps the last,
 * which lets two parsers disagree about a token). Assumes `text` is valid JSON.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2 (step 4: reject duplicate Header Parameter names)
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4 (claim names MUST be unique)
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: { keys: Set<string> | undefined; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (ch === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (ch === '[') stack.push({ keys: undefined, expectKey: false });
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
  }
  return undefined;
}

function decodeJsonObject(
  segment: string,
  what: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const bytes = decodeBase64UrlStrict(segment);
  if (!bytes)
    return {
      ok: false,
      reason: `The ${what} is not canonical base64url (alphabet A-Z a-z 0-9 - _, no padding, no trailing bits).`,
    };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: `The ${what} is not UTF-8.` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: `The ${what} is not JSON.` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: `The ${what} is not a JSON object.` };
  const dup = findDuplicateKey(text);
  if (dup !== undefined)
    return { ok: false, reason: `The ${what} repeats the member ${JSON.stringify(dup.slice(0, 40))}.` };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Parses a compact JWS (three segments) strictly: canonical base64url in every segment, JSON objects without
 * duplicate members in the header and the payload. No signature is checked here.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-7.1
 */
export function parseCompactJwt(token: string): ParseResult {
  const parts = token.split('.');
  if (parts.length !== 3)
    return {
      ok: false,
      reason: `A compact JWS has 3 segments, this one has ${parts.length} (JWE and JSON serializations are not ID tokens here).`,
    };
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJsonObject(h, 'header');
  if (!header.ok) return header;
  const payload = decodeJsonObject(p, 'payload');
  if (!payload.ok) return payload;
  const signature = decodeBase64UrlStrict(s);
  if (!signature) return { ok: false, reason: 'The signature is not canonical base64url.' };
  return { ok: true, jwt: { header: header.value, payload: payload.value, signature, signingInput: `${h}.${p}` } };
}
