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

/** Strict UTF-8 (a malformed sequence throws); stateless between `decode` calls without `stream`, so shared. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one base64url segment strictly: the URL-safe alphabet only, no padding, and the decoded bytes must
 * re-encode to exactly the same text (so trailing bits and other non-canonical forms are refused: one token,
 * one encoding). Checked by encoding the bytes again and comparing: the encoder writes only the URL-safe alphabet
 * without padding, so any other character (`+ / =`, whitespace), a length of 4n+1 and set trailing bits all give
 * another text — one native pass each way instead of a regular expression over the segment.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-2 (Base64url Encoding, no padding)
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-3.5 (canonical encoding)
 */
export function decodeBase64UrlStrict(segment: string): Buffer | undefined {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

/** The index of the quote that closes the string opened at `open` (one preceded by an even run of backslashes). */
function closingQuote(text: string, open: number): number {
  let j = text.indexOf('"', open + 1);
  while (j !== -1) {
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return text.length;
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
      const j = closingQuote(text, i);
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        // Only a name with an escape needs JSON's decoding ("a" and "\u0061" are the same member).
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
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

/**
 * How many member names a JSON text has, duplicates included: every string followed (after whitespace) by `:`.
 * Jumps from quote to quote — outside a string a quote only opens the next one — so only the strings are visited.
 * Assumes `text` is valid JSON.
 */
function memberNameCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; ) {
    const j = closingQuote(text, i);
    let k = j + 1;
    for (let c = text.charCodeAt(k); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++k));
    if (text.charCodeAt(k) === 58) n++;
    i = text.indexOf('"', k);
  }
  return n;
}

/** How many members the objects of a parsed JSON value have in all (JSON.parse keeps one per distinct name). */
function parsedMemberCount(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n += parsedMemberCount(x);
  else
    for (const k in v) {
      n++;
      n += parsedMemberCount((v as Record<string, unknown>)[k]);
    }
  return n;
}

/**
 * The first duplicate member name of a JSON text that parsed to `value`, or undefined. A text has a duplicate exactly
 * when it names more members than its parsed objects have, so the two counts (no string copied, no set built)
 * decide, and only a text with a duplicate is scanned again by {@link findDuplicateKey} for the name.
 */
function duplicateKeyOf(text: string, value: unknown): string | undefined {
  return memberNameCount(text) === parsedMemberCount(value) ? undefined : findDuplicateKey(text);
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
    text = UTF8.decode(bytes);
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
  const dup = duplicateKeyOf(text, value);
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
  const header = decodedHeader(h);
  if (!header.ok) return header;
  const payload = decodeJsonObject(p, 'payload');
  if (!payload.ok) return payload;
  const signature = decodeBase64UrlStrict(s);
  if (!signature) return { ok: false, reason: 'The signature is not canonical base64url.' };
  // A slice of the token (no new string), the exact text of its first two segments and the dot between them.
  const signingInput = token.slice(0, h.length + 1 + p.length);
  return { ok: true, jwt: { header: header.value, payload: payload.value, signature, signingInput } };
}

/** Decoded headers by their segment (see {@link decodedHeader}); emptied when it holds this many. */
const HEADER_MEMO_SIZE = 256;
const HEADERS = new Map<string, ReturnType<typeof decodeJsonObject>>();

/**
 * The header segment decoded strictly, once per distinct segment: an issuer signs every token with the same few
 * headers (alg, kid, typ), so the same text gives the same verdict and value each time. The value is frozen (deeply)
 * because it is shared by every token with that header; at most {@link HEADER_MEMO_SIZE} segments are kept, so a
 * flood of distinct headers costs what it did without the memo.
 */
function decodedHeader(segment: string): ReturnType<typeof decodeJsonObject> {
  let d = HEADERS.get(segment);
  if (!d) {
    d = decodeJsonObject(segment, 'header');
    if (d.ok) deepFreeze(d.value);
    if (HEADERS.size >= HEADER_MEMO_SIZE) HEADERS.clear();
    HEADERS.set(segment, d);
  }
  return d;
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}
