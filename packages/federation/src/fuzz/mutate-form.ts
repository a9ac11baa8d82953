import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type FuzzRandom, flipBit, nastyString } from './fuzz-random.ts';
import type { Mutated } from './mutate-json.ts';
import { mutateXml } from './mutate-xml.ts';

/** One raw (still percent-encoded) `name=value` pair; a missing value is a name without `=`. */
type Pair = [string, string | undefined];

const parse = (s: string): Pair[] =>
  s === ''
    ? []
    : s.split('&').map((kv) => {
        const i = kv.indexOf('=');
        return i < 0 ? [kv, undefined] : [kv.slice(0, i), kv.slice(i + 1)];
      });
const serialise = (pairs: Pair[]) => pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&');
/** Percent-encodes `s`; a lone surrogate (which encodeURIComponent refuses) becomes its invalid UTF-8 bytes. */
const enc = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '\u0000')).replace(/%00/g, '%ED%A0%80');
const dec = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

const BAD_ESCAPES = ['%', '%G1', '%4', '%%', '%u0041', '%00', '%C0%AF', '%FF', '%E2%82', '%0d%0a', '%2', '%zz'];

/** Deep mutators for the artefacts a parameter carries, by parameter name (the SAML bindings). */
export interface ArtefactCodecs {
  /** Redirect binding: base64 of raw DEFLATE of the XML. */
  deflated?: readonly string[];
  /** POST binding: base64 of the XML. */
  base64Xml?: readonly string[];
}

/**
 * Operations on an `application/x-www-form-urlencoded` body or a query string: malformed %-escapes (in names and
 * values), repeated, dropped and empty parameters, odd separators, huge values; and, for the parameters that carry
 * a SAML message, corrupted base64 and DEFLATE or the XML inside mutated and re-encoded (so the message reaches
 * the XML parser).
 * @see https://url.spec.whatwg.org/#application/x-www-form-urlencoded,
 *   https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.4.4.1 DEFLATE, §3.5.4 POST)
 */
export function formOps(codecs: ArtefactCodecs = {}): Record<string, (s: string, rng: FuzzRandom) => string> {
  const deflated = new Set(codecs.deflated ?? []);
  const base64Xml = new Set(codecs.base64Xml ?? []);
  const artefactIndex = (pairs: Pair[], rng: FuzzRandom) => {
    const idx = pairs.map((p, i) => (deflated.has(p[0]) || base64Xml.has(p[0]) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? rng.pick(idx) : -1;
  };
  const ops: Record<string, (s: string, rng: FuzzRandom) => string> = {
    'form.bad-escape': (s, rng) => {
      const pairs = parse(s);
      if (pairs.length === 0) return rng.pick(BAD_ESCAPES);
      const p = rng.pick(pairs);
      const esc = rng.pick(BAD_ESCAPES);
      if (rng.chance(0.5)) p[0] = rng.chance(0.5) ? `${esc}${p[0]}` : `${p[0]}${esc}`;
      else p[1] = `${p[1] ?? ''}${esc}`;
      return serialise(pairs);
    },
    'form.repeat-param': (s, rng) => {
      const pairs = parse(s);
      if (pairs.length === 0) return s;
      const p = rng.pick(pairs);
      pairs.splice(rng.int(pairs.length + 1), 0, [p[0], rng.chance(0.5) ? p[1] : enc(nastyString(rng))]);
      return serialise(pairs);
    },
    'form.drop-param': (s, rng) => {
      const pairs = parse(s);
      pairs.splice(rng.int(pairs.length), 1);
      return serialise(pairs);
    },
    'form.empty-value': (s, rng) => {
      const pairs = parse(s);
      if (pairs.length === 0) return s;
      const p = rng.pick(pairs);
      p[1] = rng.chance(0.5) ? '' : undefined;
      return serialise(pairs);
    },
    'form.param-value': (s, rng) => {
      const pairs = parse(s);
      if (pairs.length === 0) return s;
      rng.pick(pairs)[1] = enc(nastyString(rng));
      return serialise(pairs);
    },
    'form.extra-param': (s, rng) => {
      const pairs = parse(s);
      const name = rng.pick([
        'kakehashi_fault',
        'kakehashi_persona',
        'RelayState',
        'SigAlg',
        'Signature',
        '',
        enc(nastyString(rng)),
      ]);
      pairs.push([name, enc(nastyString(rng))]);
      return serialise(pairs);
    },
    'form.separators': (s, rng) =>
      rng.pick([
        s.replace(/&/g, ';'),
        s.replace(/&/g, '&&'),
        `&${s}`,
        `${s}&`,
        s.replace(/=/, '=='),
        `${s}#frag`,
        `?${s}`,
      ]),
    'form.plus-space': (s) => s.replace(/%20/g, '+').replace(/%2B/gi, '+'),
    'form.name-case': (s, rng) => {
      const pairs = parse(s);
      if (pairs.length === 0) return s;
      const p = rng.pick(pairs);
      p[0] = rng.chance(0.5) ? p[0].toUpperCase() : p[0].toLowerCase();
      return serialise(pairs);
    },
    'form.base64-corrupt': (s, rng) => {
      const pairs = parse(s);
      const i = artefactIndex(pairs, rng);
      const p = pairs[i >= 0 ? i : rng.int(pairs.length)];
      if (!p) return s;
      const v = dec(p[1] ?? '');
      const at = rng.int(v.length + 1);
      const k = rng.int(4);
      const out =
        k === 0
          ? v.slice(0, at) + rng.pick(['*', '-', '_', ' ', '\n', '=', '===', 'é']) + v.slice(at)
          : k === 1
            ? v.replace(/=+$/, '')
            : k === 2
              ? v.replace(/\+/g, '-').replace(/\//g, '_')
              : v.slice(0, at);
      p[1] = enc(out);
      return serialise(pairs);
    },
    'form.deflate-corrupt': (s, rng) => {
      const pairs = parse(s);
      const p = pairs.find(([k]) => deflated.has(k));
      if (!p) return s;
      const raw = Buffer.from(dec(p[1] ?? ''), 'base64');
      const k = rng.int(4);
      let out: Buffer;
      if (k === 0) {
        out = Buffer.from(raw);
        if (out.length) flipBit(out, rng);
      } else if (k === 1) out = raw.subarray(0, rng.int(raw.length));
      else if (k === 2) {
        // Not deflated at all: the XML as is.
        try {
          out = inflateRawSync(raw);
        } catch {
          out = raw;
        }
      } else out = deflateRawSync(Buffer.alloc(rng.pick([100_000, 2_000_000]), 0x41)); // a DEFLATE bomb
      p[1] = enc(out.toString('base64'));
      return serialise(pairs);
    },
    'form.artefact-xml': (s, rng) => {
      const pairs = parse(s);
      const i = artefactIndex(pairs, rng);
      const p = pairs[i];
      if (!p) return s;
      const bytes = Buffer.from(dec(p[1] ?? ''), 'base64');
      const isDeflated = deflated.has(p[0]);
      let xml: string;
      try {
        xml = (isDeflated ? inflateRawSync(bytes) : bytes).toString('utf8');
      } catch {
        return s;
      }
      const m = mutateXml(xml, rng);
      const out = Buffer.from(m.value, 'utf8');
      p[1] = enc((isDeflated ? deflateRawSync(out) : out).toString('base64'));
      return serialise(pairs);
    },
  };
  return ops;
}

/**
 * One to three form/query operations; when the form carries a SAML message, half the time its XML is what changes
 * (the signature of a Redirect-binding request then no longer matches, which is one of the things tested).
 */
export function mutateForm(s: string, rng: FuzzRandom, codecs: ArtefactCodecs = {}): Mutated {
  const ops = formOps(codecs);
  const names = Object.keys(ops);
  const hasArtefact = (codecs.deflated?.length ?? 0) + (codecs.base64Xml?.length ?? 0) > 0;
  const applied: string[] = [];
  let value = s;
  const n = 1 + (rng.chance(0.25) ? rng.int(3) : 0);
  for (let i = 0; i < n; i++) {
    const op = hasArtefact && rng.chance(0.5) ? 'form.artefact-xml' : rng.pick(names);
    value = (ops[op] as (x: string, r: FuzzRandom) => string)(value, rng);
    applied.push(op);
  }
  return { value, ops: applied };
}
