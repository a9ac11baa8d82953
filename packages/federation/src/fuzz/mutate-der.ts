import { type FuzzRandom, flipBit } from './fuzz-random.ts';
import type { Mutated } from './mutate-json.ts';

/** One DER TLV: a constructed node has children, a primitive one content. */
interface Node {
  tag: number;
  children?: Node[];
  content?: Buffer;
}

/** Parses DER (definite lengths, one-byte tags); undefined when the bytes are not DER. */
export function parseDer(buf: Buffer, start = 0, end = buf.length, depth = 0): Node[] | undefined {
  const out: Node[] = [];
  let i = start;
  while (i < end) {
    if (end - i < 2 || depth > 60 || out.length > 5000) return undefined;
    const tag = buf[i] as number;
    let len = buf[i + 1] as number;
    let p = i + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || p + n > end) return undefined;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + (buf[p + k] as number);
      p += n;
    }
    if (p + len > end || (tag & 0x1f) === 0x1f) return undefined;
    if (tag & 0x20) {
      const children = parseDer(buf, p, p + len, depth + 1);
      if (!children) return undefined;
      out.push({ tag, children });
    } else out.push({ tag, content: buf.subarray(p, p + len) });
    i = p + len;
  }
  return out;
}

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function encode(nodes: Node[]): Buffer {
  return Buffer.concat(
    nodes.map((n) => {
      const body = n.children ? encode(n.children) : (n.content ?? Buffer.alloc(0));
      return Buffer.concat([Buffer.from([n.tag]), lengthBytes(body.length), body]);
    }),
  );
}

/** Every node with its parent list and index there. */
function all(nodes: Node[], out: { list: Node[]; index: number }[] = []): { list: Node[]; index: number }[] {
  nodes.forEach((n, index) => {
    out.push({ list: nodes, index });
    if (n.children) all(n.children, out);
  });
  return out;
}

const OIDS = [
  '06092a864886f70d010105', // sha1WithRSAEncryption
  '06092a864886f70d010104', // md5WithRSAEncryption
  '06052b0e03021a', // sha1
  '0609608648016503040201', // sha256
  '06092a864886f70d010701', // id-data
  '06092a864886f70d010702', // id-signedData
  '060b2a864886f70d0109100211', // signing-certificate-v2 attr
  '0603550403', // commonName
  '06082a8648ce3d040302', // ecdsa-with-SHA256
  '0600', // empty OID
];

/** Structural operations that keep DER well-formed (lengths recomputed). */
const TREE_OPS: Record<string, (nodes: Node[], rng: FuzzRandom) => void> = {
  'der.remove-node': (nodes, rng) => {
    const n = rng.pick(all(nodes));
    n.list.splice(n.index, 1);
  },
  'der.duplicate-node': (nodes, rng) => {
    const n = rng.pick(all(nodes));
    n.list.splice(n.index, 0, structuredClone(n.list[n.index] as Node));
  },
  'der.swap-siblings': (nodes, rng) => {
    const n = rng.pick(all(nodes).filter((x) => x.list.length > 1));
    if (!n) return;
    const j = (n.index + 1) % n.list.length;
    [n.list[n.index], n.list[j]] = [n.list[j] as Node, n.list[n.index] as Node];
  },
  'der.oid-swap': (nodes, rng) => {
    const oids = all(nodes).filter((x) => (x.list[x.index] as Node).tag === 0x06);
    if (oids.length === 0) return;
    const o = rng.pick(oids);
    const hex = rng.pick(OIDS);
    (o.list[o.index] as Node).content = Buffer.from(hex.slice(4), 'hex');
  },
  'der.integer': (nodes, rng) => {
    const ints = all(nodes).filter((x) => (x.list[x.index] as Node).tag === 0x02);
    if (ints.length === 0) return;
    const o = rng.pick(ints);
    (o.list[o.index] as Node).content = rng.pick([
      Buffer.from([0]),
      Buffer.from([0xff]),
      Buffer.alloc(0),
      Buffer.from([0x00, 0x00, 0x01]),
      Buffer.alloc(600, 0x7f),
    ]);
  },
  'der.content-flip': (nodes, rng) => {
    const prims = all(nodes).filter((x) => ((x.list[x.index] as Node).content?.length ?? 0) > 0);
    if (prims.length === 0) return;
    const o = rng.pick(prims);
    const c = Buffer.from((o.list[o.index] as Node).content as Buffer);
    flipBit(c, rng);
    (o.list[o.index] as Node).content = c;
  },
  'der.retag': (nodes, rng) => {
    const n = rng.pick(all(nodes));
    const node = n.list[n.index] as Node;
    const tag = rng.pick([0x02, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x80, 0xa0, 0xa3]);
    // A constructed node keeps its children only under a constructed tag.
    if (node.children && !(tag & 0x20)) n.list[n.index] = { tag, content: encode(node.children) };
    else node.tag = node.children ? tag | 0x20 : tag & ~0x20;
  },
  'der.wrap': (nodes, rng) => {
    const n = rng.pick(all(nodes));
    n.list[n.index] = { tag: rng.pick([0x30, 0x31, 0xa0]), children: [n.list[n.index] as Node] };
  },
};

/** Operations on the bytes: lengths that lie, truncation, indefinite lengths, trailing data. */
const BYTE_OPS: Record<string, (der: Buffer, rng: FuzzRandom) => Buffer> = {
  'der.length-lie': (der, rng) => {
    const out = Buffer.from(der);
    // A byte after a tag, in the first kilobyte where the outer headers are.
    const i = 1 + rng.int(Math.min(out.length - 1, 1024));
    out[i] = rng.pick([0x00, 0x7f, 0x80, 0x81, 0x84, 0xff, ((out[i] as number) + 1) & 0xff]);
    return out;
  },
  'der.huge-length': (der) => Buffer.concat([Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xf0]), der.subarray(2)]),
  'der.truncate': (der, rng) => der.subarray(0, rng.int(der.length)),
  'der.trailing-data': (der, rng) => Buffer.concat([der, rng.bytes(1 + rng.int(64))]),
  'der.byte-flip': (der, rng) => {
    const out = Buffer.from(der);
    for (let k = 0; k < 1 + rng.int(4); k++) flipBit(out, rng);
    return out;
  },
};

/** The names of every DER operation. */
export const DER_OPS: readonly string[] = [...Object.keys(TREE_OPS), ...Object.keys(BYTE_OPS)];

/** Applies DER operation `name`; a structural one on bytes that do not parse falls back to a byte flip. */
export function applyDerOp(name: string, der: Buffer, rng: FuzzRandom): Buffer {
  const tree = TREE_OPS[name];
  if (tree) {
    const nodes = parseDer(der);
    if (!nodes || nodes.length === 0)
      return (BYTE_OPS['der.byte-flip'] as (d: Buffer, r: FuzzRandom) => Buffer)(der, rng);
    tree(nodes, rng);
    return encode(nodes);
  }
  const byte = BYTE_OPS[name];
  if (!byte) throw new RangeError(`unknown DER operation ${name}`);
  return der.length === 0 ? der : byte(der, rng);
}

/**
 * One to three operations on DER (a CMS signature, a time-stamp token): structural ones that keep the encoding
 * valid so the parser goes deeper (nodes removed, duplicated, swapped, OIDs and integers changed, retagged) and
 * byte ones that break it.
 * @see https://www.itu.int/rec/T-REC-X.690 (DER), https://www.rfc-editor.org/rfc/rfc5652 (CMS)
 */
export function mutateDer(der: Buffer, rng: FuzzRandom): Mutated<Buffer> {
  const ops: string[] = [];
  let value = der;
  const n = 1 + (rng.chance(0.25) ? rng.int(3) : 0);
  for (let i = 0; i < n; i++) {
    const op = rng.chance(0.65) ? rng.pick(Object.keys(TREE_OPS)) : rng.pick(Object.keys(BYTE_OPS));
    value = applyDerOp(op, value, rng);
    ops.push(op);
  }
  return { value, ops };
}
