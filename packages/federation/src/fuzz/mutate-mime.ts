import { type FuzzRandom, flipBit, nastyString } from './fuzz-random.ts';
import type { Mutated } from './mutate-json.ts';
import { XML_OPS } from './mutate-xml.ts';

/** A MIME message as sent over HTTP: the Content-Type header and the body. */
export interface MimeMessage {
  contentType: string;
  body: Buffer;
}

interface Part {
  headers: string[];
  content: Buffer;
}

const CRLF = '\r\n';

function boundaryOf(contentType: string): string | undefined {
  return /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
}

/** Splits a multipart body in its parts (headers as lines, content as bytes); undefined when it does not split. */
function split(m: MimeMessage): { boundary: string; parts: Part[] } | undefined {
  const boundary = boundaryOf(m.contentType);
  if (!boundary) return undefined;
  const text = m.body.toString('latin1');
  const chunks = text.split(`--${boundary}`);
  if (chunks.length < 3) return undefined;
  const parts: Part[] = [];
  for (const chunk of chunks.slice(1, -1)) {
    const body = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '');
    const sep = body.indexOf('\r\n\r\n');
    if (sep < 0) return undefined;
    parts.push({
      headers: body.slice(0, sep).split(CRLF),
      content: Buffer.from(body.slice(sep + 4), 'latin1'),
    });
  }
  return { boundary, parts };
}

function join(boundary: string, parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts)
    chunks.push(
      Buffer.from(`--${boundary}${CRLF}${p.headers.join(CRLF)}${CRLF}${CRLF}`, 'latin1'),
      p.content,
      Buffer.from(CRLF),
    );
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return Buffer.concat(chunks);
}

type PartOp = (parts: Part[], rng: FuzzRandom) => Part[];
const PART_OPS: Record<string, PartOp> = {
  'mime.part-order': (parts, rng) => {
    if (parts.length < 2) return parts;
    const i = rng.int(parts.length);
    const j = (i + 1 + rng.int(parts.length - 1)) % parts.length;
    const out = [...parts];
    [out[i], out[j]] = [out[j] as Part, out[i] as Part];
    return out;
  },
  'mime.remove-part': (parts, rng) => parts.filter((_, i) => i !== rng.int(parts.length)),
  'mime.duplicate-part': (parts, rng) => {
    const i = rng.int(parts.length);
    return [...parts.slice(0, i + 1), parts[i] as Part, ...parts.slice(i + 1)];
  },
  'mime.part-header': (parts, rng) => {
    const p = rng.pick(parts);
    const k = rng.int(5);
    if (k === 0 && p.headers.length) p.headers.splice(rng.int(p.headers.length), 1);
    else if (k === 1 && p.headers.length) p.headers.push(rng.pick(p.headers));
    else if (k === 2) p.headers.push(`X-Fuzz: ${'a'.repeat(rng.pick([100, 10_000, 100_000]))}`);
    else if (k === 3)
      p.headers.push(
        rng.pick([
          'Content-Transfer-Encoding: base64',
          'Content-Transfer-Encoding: quoted-printable',
          'Content-Transfer-Encoding: x-bogus',
          'Content-Type: text/plain; charset=x-bogus',
          'Content-Type: multipart/related; boundary=inner',
          'Content-Encoding: gzip',
        ]),
      );
    else if (p.headers.length) {
      const i = rng.int(p.headers.length);
      const [name] = (p.headers[i] as string).split(':');
      p.headers[i] = `${name}: ${nastyString(rng).replace(/[\r\n]/g, '')}`;
    }
    return parts;
  },
  'mime.content-id': (parts, rng) => {
    const p = rng.pick(parts);
    const other = rng.pick(parts);
    const otherId = other.headers.find((h) => /^content-id:/i.test(h));
    p.headers = p.headers.filter((h) => !/^content-id:/i.test(h));
    const k = rng.int(4);
    if (k === 0) return parts; // removed
    if (k === 1 && otherId) p.headers.push(otherId);
    else if (k === 2) p.headers.push(`Content-ID: ${rng.pick(['', '<>', 'no-brackets@x', '<a@b><c@d>', '<%zz@x>'])}`);
    else p.headers.push(`Content-ID: <${nastyString(rng).replace(/[\r\n]/g, '')}>`);
    return parts;
  },
  'mime.root-xml': (parts, rng) => {
    const p = parts[0];
    if (!p) return parts;
    const op = rng.pick(Object.keys(XML_OPS));
    p.content = Buffer.from((XML_OPS[op] as (x: string, r: FuzzRandom) => string)(p.content.toString('utf8'), rng));
    return parts;
  },
  'mime.attachment-flip': (parts, rng) => {
    const p = parts.length > 1 ? rng.pick(parts.slice(1)) : parts[0];
    if (!p || p.content.length === 0) return parts;
    const c = Buffer.from(p.content);
    flipBit(c, rng);
    p.content = rng.chance(0.2) ? c.subarray(0, rng.int(c.length)) : c;
    return parts;
  },
};

const MESSAGE_OPS: Record<string, (m: MimeMessage, rng: FuzzRandom) => MimeMessage> = {
  'mime.boundary-header': (m, rng) => ({
    ...m,
    contentType: m.contentType.replace(
      /boundary="?[^";]+"?/i,
      `boundary=${rng.pick(['', '""', '"x"', 'a'.repeat(200), '"--"', `"${boundaryOf(m.contentType)}x"`, '"\u0000"'])}`,
    ),
  }),
  'mime.boundary-body': (m, rng) => {
    const b = boundaryOf(m.contentType);
    if (!b) return m;
    const text = m.body.toString('latin1');
    const k = rng.int(3);
    const out =
      k === 0
        ? text.replace(`--${b}--`, `--${b}`)
        : k === 1
          ? text.replace(`--${b}`, `--${b}  x`)
          : text.split(`--${b}`).join(rng.chance(0.5) ? `--${b}\r\n` : `-${b}`);
    return { ...m, body: Buffer.from(out, 'latin1') };
  },
  'mime.content-type': (m, rng) => ({
    ...m,
    contentType: rng.pick([
      'application/soap+xml',
      'text/xml',
      'multipart/mixed; boundary=x',
      'multipart/related',
      m.contentType.replace(/type="[^"]*"/, 'type="text/xml"'),
      m.contentType.replace(/start="[^"]*"/, 'start="<nowhere@x>"'),
      `${m.contentType}; boundary=second`,
      m.contentType.replace(/;/g, ';;'),
    ]),
  }),
  'mime.line-endings': (m) => ({ ...m, body: Buffer.from(m.body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1') }),
  'mime.truncate': (m, rng) => ({ ...m, body: m.body.subarray(0, rng.int(m.body.length)) }),
};

/** The names of every MIME operation. */
export const MIME_OPS: readonly string[] = [...Object.keys(PART_OPS), ...Object.keys(MESSAGE_OPS)];

/** Applies MIME operation `name` (a part operation on a body that does not split leaves it unchanged). */
export function applyMimeOp(name: string, m: MimeMessage, rng: FuzzRandom): MimeMessage {
  const msg = MESSAGE_OPS[name];
  if (msg) return msg(m, rng);
  const part = PART_OPS[name];
  if (!part) throw new RangeError(`unknown MIME operation ${name}`);
  const s = split(m);
  if (!s || s.parts.length === 0) return m;
  return { contentType: m.contentType, body: join(s.boundary, part(s.parts, rng)) };
}

/**
 * One to three operations on a multipart/related message (an AS4 message with its SOAP envelope and attachments):
 * the boundary, part headers, part order, Content-IDs, the root XML and the attachments.
 * @see https://www.rfc-editor.org/rfc/rfc2387 (multipart/related), https://www.rfc-editor.org/rfc/rfc2046#section-5.1
 */
export function mutateMime(m: MimeMessage, rng: FuzzRandom): Mutated<MimeMessage> {
  const ops: string[] = [];
  let value = m;
  const n = 1 + (rng.chance(0.25) ? rng.int(3) : 0);
  for (let i = 0; i < n; i++) {
    const op = rng.chance(0.75) ? rng.pick(Object.keys(PART_OPS)) : rng.pick(Object.keys(MESSAGE_OPS));
    value = applyMimeOp(op, value, rng);
    ops.push(op);
  }
  return { value, ops };
}
