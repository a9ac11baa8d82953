import { type FuzzRandom, flipBit, nastyString } from './fuzz-random.ts';
import { applyJsonOp, JSON_OPS, type Mutated, nastyJsonValue } from './mutate-json.ts';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

/** Rewrites one member of the JSON header (segment 0) or payload (segment 1); leaves the other segments alone. */
function editSegmentJson(token: string, index: 0 | 1, edit: (o: Record<string, unknown>) => void): string {
  const segs = token.split('.');
  try {
    const o = JSON.parse(unb64(segs[index] ?? '')) as Record<string, unknown>;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return token;
    edit(o);
    segs[index] = b64(JSON.stringify(o));
    return segs.join('.');
  } catch {
    // Not JSON, or nested past the stack by an earlier operation: left as it is.
    return token;
  }
}

const ALGS = [
  'none',
  'None',
  'NONE',
  'HS256',
  'HS512',
  'RS256',
  'RS512',
  'PS256',
  'ES256',
  'ES512',
  'EdDSA',
  'RS1',
  'ES256K',
  '',
  'dir',
  'RSA-OAEP',
];

/**
 * Structure-aware operations on a compact JWS (RFC 7515 §7.1): edits of the protected header or the payload as
 * JSON, swaps of the security-relevant header members (alg, kid, crit, typ, jku/jwk/x5c), damage to the base64url
 * encoding, and truncated, duplicated or extra segments. Each returns the new token text.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1
 */
export const JWS_OPS: Record<string, (token: string, rng: FuzzRandom) => string> = {
  'jws.header-json': (t, rng) => {
    const segs = t.split('.');
    segs[0] = b64(applyJsonOp(rng.pick(JSON_OPS), unb64(segs[0] ?? ''), rng));
    return segs.join('.');
  },
  'jws.payload-json': (t, rng) => {
    const segs = t.split('.');
    segs[1] = b64(applyJsonOp(rng.pick(JSON_OPS), unb64(segs[1] ?? ''), rng));
    return segs.join('.');
  },
  'jws.alg-swap': (t, rng) =>
    editSegmentJson(t, 0, (h) => {
      h.alg = rng.chance(0.85) ? rng.pick(ALGS) : nastyJsonValue(rng);
    }),
  'jws.alg-none-unsigned': (t, rng) => {
    const segs = editSegmentJson(t, 0, (h) => {
      h.alg = rng.pick(['none', 'None', 'nOnE']);
    }).split('.');
    return `${segs[0]}.${segs[1]}.${rng.chance(0.5) ? '' : (segs[2] ?? '')}`;
  },
  'jws.kid-swap': (t, rng) =>
    editSegmentJson(t, 0, (h) => {
      h.kid = rng.chance(0.8) ? nastyString(rng) : nastyJsonValue(rng);
    }),
  'jws.crit': (t, rng) =>
    editSegmentJson(t, 0, (h) => {
      h.crit = rng.pick([['exp'], ['b64'], [], 'b64', [1], ['alg'], [nastyString(rng)]]);
      if (rng.chance(0.5)) h.b64 = false;
    }),
  'jws.typ-swap': (t, rng) =>
    editSegmentJson(t, 0, (h) => {
      h.typ = rng.pick(['JWT', 'jwt', 'at+jwt', 'logout+jwt', 'application/jwt', 'JOSE', '', null, 5]);
    }),
  'jws.key-injection': (t, rng) =>
    editSegmentJson(t, 0, (h) => {
      const k = rng.int(4);
      if (k === 0) h.jku = rng.pick(['http://169.254.169.254/jwks', 'file:///etc/passwd', 'http://127.0.0.1:1/jwks']);
      else if (k === 1) h.x5u = 'http://169.254.169.254/cert.pem';
      else if (k === 2) h.jwk = { kty: 'oct', k: b64('secret') };
      else h.x5c = rng.pick([[], ['AAAA'], 'MII=', [nastyString(rng)]]);
    }),
  'jws.b64-corrupt': (t, rng) => {
    const i = rng.int(t.length + 1);
    return (
      t.slice(0, i) + rng.pick(['=', '+', '/', ' ', '\n', '%', '*', 'é', '\u0000', '==']) + t.slice(i + rng.int(2))
    );
  },
  'jws.segment-truncate': (t, rng) => {
    const segs = t.split('.');
    const k = rng.int(4);
    if (k === 0) return segs.slice(0, 2).join('.');
    if (k === 1) return `${segs.slice(0, 2).join('.')}.`;
    if (k === 2) {
      const s = rng.int(segs.length);
      segs[s] = (segs[s] ?? '').slice(0, rng.int((segs[s] ?? '').length));
      return segs.join('.');
    }
    return t.slice(0, rng.int(t.length));
  },
  'jws.segment-duplicate': (t, rng) => {
    const segs = t.split('.');
    const s = rng.int(segs.length);
    const out = [...segs];
    out.splice(s, 0, segs[s] ?? '');
    return rng.chance(0.5) ? out.join('.') : `${t}.${t}`;
  },
  'jws.segment-swap': (t) => {
    const [h = '', p = '', s = ''] = t.split('.');
    return `${p}.${h}.${s}`;
  },
  'jws.signature-flip': (t, rng) => {
    const segs = t.split('.');
    const sig = Buffer.from(segs[2] ?? '', 'base64url');
    if (sig.length > 0) flipBit(sig, rng);
    segs[2] = sig.toString('base64url');
    return segs.join('.');
  },
  'jws.huge-value': (t, rng) =>
    editSegmentJson(t, rng.chance(0.5) ? 0 : 1, (o) => {
      const keys = Object.keys(o);
      o[keys.length && rng.chance(0.7) ? rng.pick(keys) : 'x'] = 'A'.repeat(rng.pick([5_000, 20_000, 200_000]));
    }),
  'jws.claim-swap': (t, rng) =>
    editSegmentJson(t, 1, (p) => {
      const k = rng.pick(['iss', 'aud', 'sub', 'exp', 'iat', 'nbf', 'nonce', 'azp', 'acr', 'auth_time', 'jti']);
      p[k] = rng.chance(0.5) ? nastyJsonValue(rng) : rng.pick([[p.aud, 'other'], 0, -1, 9_999_999_999, '1']);
    }),
  'jws.json-serialization': (t, rng) => {
    const [h = '', p = '', s = ''] = t.split('.');
    const o = rng.chance(0.5)
      ? { protected: h, payload: p, signature: s }
      : {
          payload: p,
          signatures: [
            { protected: h, signature: s },
            { protected: h, signature: s },
          ],
        };
    return JSON.stringify(o);
  },
};

/** One to three JWS operations on a compact token. */
export function mutateJws(token: string, rng: FuzzRandom): Mutated {
  const ops: string[] = [];
  let value = token;
  const n = 1 + (rng.chance(0.25) ? rng.int(3) : 0);
  for (let i = 0; i < n; i++) {
    const op = rng.pick(Object.keys(JWS_OPS));
    value = (JWS_OPS[op] as (t: string, r: FuzzRandom) => string)(value, rng);
    ops.push(op);
  }
  return { value, ops };
}
