import { randomBytes } from 'node:crypto';
import { EbmsError } from '../errors/ebms-error.ts';

/** One MIME part: a Content-ID (without angle brackets), a content type and the decoded content. */
export interface MimePart {
  contentId: string;
  contentType: string;
  body: Buffer;
}

export interface ParsedMultipart {
  root: MimePart;
  attachments: MimePart[];
}

/** SOAP 1.2 content type of the root part. */
export const SOAP_CONTENT_TYPE = 'application/soap+xml';

/**
 * Builds a SOAP-with-Attachments `multipart/related` message: the SOAP envelope as the root part (the `start`),
 * then every attachment, all with `Content-Transfer-Encoding: binary`.
 * @see https://www.w3.org/TR/SOAP-attachments
 * @see https://www.rfc-editor.org/rfc/rfc2387 (multipart/related)
 */
export function buildMultipart(
  envelope: string,
  attachments: readonly MimePart[],
  rootId = `soap-${randomBytes(8).toString('hex')}@kakehashi`,
): {
  contentType: string;
  body: Buffer;
} {
  const boundary = `MIMEBoundary_${randomBytes(16).toString('hex')}`;
  const chunks: Buffer[] = [];
  const part = (contentId: string, contentType: string, body: Buffer) => {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${contentId}>\r\n\r\n`,
      ),
      body,
      Buffer.from('\r\n'),
    );
  };
  part(rootId, `${SOAP_CONTENT_TYPE}; charset=UTF-8`, Buffer.from(envelope, 'utf8'));
  for (const a of attachments) part(a.contentId, a.contentType, a.body);
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    contentType: `multipart/related; boundary="${boundary}"; type="${SOAP_CONTENT_TYPE}"; start="<${rootId}>"`,
    body: Buffer.concat(chunks),
  };
}

/** Parses `type/subtype; a=b; c="d"` into the media type (lower case) and its parameters (names lower case). */
export function parseContentType(header: string): { mediaType: string; params: Record<string, string> } {
  const [type = '', ...rest] = splitParams(header);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { mediaType: type.trim().toLowerCase(), params };
}

function splitParams(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '"' && s[i - 1] !== '\\') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const mime = (detail: string) => new EbmsError('EBMS:0007', detail, { rule: 'RFC 2046 §5.1 / SOAP with Attachments' });

/**
 * Parses a `multipart/related` SOAP-with-Attachments body. Strict: CRLF line breaks, unique Content-IDs, the
 * `start` part (or the first) as the SOAP 1.2 root, binary/8bit/7bit/base64 transfer encodings only, bounded
 * number of parts. Any violation is `EBMS:0007` MimeInconsistency.
 * @see https://www.rfc-editor.org/rfc/rfc2046#section-5.1
 */
export function parseMultipart(contentType: string, body: Buffer, limits: { maxParts?: number } = {}): ParsedMultipart {
  const maxParts = limits.maxParts ?? 52;
  const { params } = parseContentType(contentType);
  const boundary = params.boundary;
  if (!boundary || boundary.length > 200)
    throw mime('The multipart/related content type has no (valid) boundary parameter.');
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw mime('The body does not contain the MIME boundary.');
  const parts: MimePart[] = [];
  const seen = new Set<string>();
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    // transport padding, then CRLF
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw mime('A MIME boundary line is not followed by CRLF.');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1 || headerEnd - pos > 8192) throw mime('A MIME part has no end of headers (CRLF CRLF).');
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString('latin1'));
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next === -1) throw mime('The multipart body is not closed by its final boundary.');
    let content = body.subarray(headerEnd + 4, next);
    const cte = (headers['content-transfer-encoding'] ?? 'binary').toLowerCase();
    if (cte === 'base64') content = Buffer.from(content.toString('latin1').replace(/\s+/g, ''), 'base64');
    else if (!['binary', '8bit', '7bit'].includes(cte))
      throw mime(`Content-Transfer-Encoding "${cte.slice(0, 30)}" is not supported (use binary or base64).`);
    const cidRaw = (headers['content-id'] ?? '').trim();
    const contentId = cidRaw.replace(/^<(.*)>$/, '$1');
    if (contentId && seen.has(contentId)) throw mime(`Two MIME parts have the Content-ID <${contentId.slice(0, 80)}>.`);
    if (contentId) seen.add(contentId);
    parts.push({
      contentId,
      contentType: headers['content-type'] ?? 'application/octet-stream',
      body: Buffer.from(content),
    });
    if (parts.length > maxParts) throw mime(`More than ${maxParts} MIME parts.`);
    pos = next + 2;
  }
  const start = params.start?.replace(/^<(.*)>$/, '$1');
  const rootIndex = start ? parts.findIndex((p) => p.contentId === start) : 0;
  if (rootIndex === -1) throw mime(`No MIME part has the start Content-ID <${start?.slice(0, 80)}>.`);
  const root = parts[rootIndex] as MimePart;
  if (parseContentType(root.contentType).mediaType !== SOAP_CONTENT_TYPE) {
    throw mime(`The root MIME part is ${root.contentType.slice(0, 60)}; AS4 uses SOAP 1.2 (${SOAP_CONTENT_TYPE}).`);
  }
  const attachments = parts.filter((_, i) => i !== rootIndex);
  if (attachments.some((a) => !a.contentId))
    throw mime('Every attachment needs a Content-ID (PartInfo refers to it as cid:).');
  return { root, attachments };
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i <= 0) throw mime('A MIME part header line is malformed.');
    const name = line.slice(0, i).trim().toLowerCase();
    if (name in out) throw mime(`A MIME part repeats the header ${name}.`);
    out[name] = line.slice(i + 1).trim();
  }
  return out;
}

/** The Content-ID a `cid:` URI names (RFC 2392: URL-encoded). */
export function contentIdOfCid(href: string): string | undefined {
  if (!href.startsWith('cid:')) return undefined;
  try {
    return decodeURIComponent(href.slice(4));
  } catch {
    return undefined;
  }
}
