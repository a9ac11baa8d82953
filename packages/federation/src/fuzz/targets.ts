import type { EntryPoint, HttpInput } from './capture.ts';
import type { FuzzRandom } from './fuzz-random.ts';
import { mutateDer } from './mutate-der.ts';
import { type ArtefactCodecs, mutateForm } from './mutate-form.ts';
import { mutateJson } from './mutate-json.ts';
import { mutateJws } from './mutate-jws.ts';
import { mutateMime } from './mutate-mime.ts';
import { mutateXml } from './mutate-xml.ts';

/** A mutated request and the operations that made it. */
export interface FuzzInput {
  input: HttpInput;
  ops: string[];
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** Mutates a string that holds an artefact, by what it looks like: a JWS, XML, JSON, or base64/PEM DER. */
export function mutateArtefactString(s: string, rng: FuzzRandom): { value: string; ops: string[] } {
  if (COMPACT_JWS.test(s)) return mutateJws(s, rng);
  const trimmed = s.trimStart();
  if (trimmed.startsWith('<')) return mutateXml(s, rng);
  if (trimmed.startsWith('{')) return mutateJson(s, rng);
  const pem = /-----BEGIN [^-]+-----([\s\S]*?)-----END/.exec(s);
  const der = Buffer.from(pem ? (pem[1] as string) : s, 'base64');
  const m = mutateDer(der, rng);
  return { value: m.value.toString('base64'), ops: m.ops };
}

/**
 * A JSON request that carries an artefact in `field` (the ID token, the signature, the signed metadata): most
 * inputs mutate the artefact (the request stays valid JSON, so the validator is what is reached), the rest the
 * JSON itself.
 */
function jsonCarrying(field: string) {
  return (seed: HttpInput, rng: FuzzRandom): FuzzInput => {
    const text = seed.body?.toString('utf8') ?? '';
    if (rng.chance(0.75)) {
      const o = JSON.parse(text) as Record<string, unknown>;
      const m = mutateArtefactString(String(o[field] ?? ''), rng);
      o[field] = m.value;
      return { input: { ...seed, body: Buffer.from(JSON.stringify(o)) }, ops: m.ops };
    }
    const m = mutateJson(text, rng);
    return { input: { ...seed, body: Buffer.from(m.value) }, ops: m.ops };
  };
}

/** A form POST (token request, SAML POST binding). */
function formBody(codecs: ArtefactCodecs) {
  return (seed: HttpInput, rng: FuzzRandom): FuzzInput => {
    const m = mutateForm(seed.body?.toString('utf8') ?? '', rng, codecs);
    return { input: { ...seed, body: Buffer.from(m.value) }, ops: m.ops };
  };
}

/** Basic client authentication damaged: bad base64, no colon, huge, other scheme. */
function mutateBasicAuth(value: string, rng: FuzzRandom): string {
  const cred = value.replace(/^Basic /, '');
  return rng.pick([
    `Basic ${cred}%`,
    `Basic ${cred.slice(0, rng.int(cred.length))}`,
    `Basic ${Buffer.from('no-colon').toString('base64')}`,
    `Basic ${Buffer.from(`${'%zz'}:${'%'}`).toString('base64')}`,
    `Basic ${'A'.repeat(20_000)}`,
    `Basic !!!`,
    'Basic',
    `Bearer ${cred}`,
    `basic ${cred}`,
    `Basic ${Buffer.from('kakehashi-demo-rp:\u0000').toString('base64')}`,
  ]);
}

/** Header-level changes any entry point gets now and then: content type swapped or gone, body as another type. */
function mutateHttp(input: HttpInput, rng: FuzzRandom): FuzzInput {
  const headers = { ...input.headers };
  const k = rng.int(4);
  if (k === 0) delete headers['content-type'];
  else if (k === 1)
    headers['content-type'] = rng.pick([
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      '',
      'application/problem+json',
    ]);
  else if (k === 2) headers.accept = rng.pick(['text/html', 'application/xml', '*/*', 'text/html, application/json']);
  else headers['x-kakehashi-fault'] = rng.pick(['*', 'id-token.alg-none', 'unknown', '%zz', '']);
  return { input: { ...input, headers }, ops: [`http.header-${k}`] };
}

type Mutator = (seed: HttpInput, rng: FuzzRandom) => FuzzInput;

const tokenRequest: Mutator = (seed, rng) => {
  if (rng.chance(0.15))
    return {
      input: {
        ...seed,
        headers: { ...seed.headers, authorization: mutateBasicAuth(seed.headers.authorization ?? '', rng) },
      },
      ops: ['token.client-auth'],
    };
  return formBody({})(seed, rng);
};

const samlRedirect: Mutator = (seed, rng) => {
  const url = new URL(seed.url);
  const m = mutateForm(url.search.slice(1), rng, { deflated: ['SAMLRequest'] });
  return { input: { ...seed, url: `${url.origin}${url.pathname}?${m.value}` }, ops: m.ops };
};

const as4: Mutator = (seed, rng) => {
  const m = mutateMime({ contentType: seed.headers['content-type'] ?? '', body: seed.body ?? Buffer.alloc(0) }, rng);
  return {
    input: { ...seed, headers: { ...seed.headers, 'content-type': m.value.contentType }, body: m.value.body },
    ops: m.ops,
  };
};

const jpCall: Mutator = (seed, rng) => {
  const r = rng.int(10);
  const headers = { ...seed.headers };
  const ops: string[] = [];
  let body = seed.body ?? Buffer.alloc(0);
  if (r < 5 || r === 9) {
    const m = mutateJws(headers['x-jp-signature'] ?? '', rng);
    headers['x-jp-signature'] = m.value.replace(/[\r\n]/g, '');
    ops.push(...m.ops);
  }
  if (r >= 5) {
    const m = rng.chance(0.5)
      ? jsonCarrying('sealedRequest')(seed, rng)
      : { input: { ...seed, body: Buffer.from(mutateJson(body.toString(), rng).value) }, ops: ['json'] };
    body = m.input.body ?? body;
    ops.push(...m.ops);
  }
  return { input: { ...seed, headers, body }, ops };
};

/** How each entry point's captured requests are mutated. */
export const MUTATORS: Record<EntryPoint, Mutator> = {
  'id-token': jsonCarrying('token'),
  token: tokenRequest,
  'saml-sso': samlRedirect,
  'saml-acs': formBody({ base64Xml: ['SAMLResponse'] }),
  'esig-xades': jsonCarrying('signature'),
  'esig-jades': jsonCarrying('signature'),
  'esig-cades': jsonCarrying('signature'),
  as4,
  'jp-network': jpCall,
  registration: jsonCarrying('signedMetadata'),
};

/** One fuzz input: a captured request of `entry`, mutated (and, one time in twenty, its headers too). */
export function mutateInput(entry: EntryPoint, seed: HttpInput, rng: FuzzRandom): FuzzInput {
  const m = (MUTATORS[entry] as Mutator)(seed, rng);
  if (!rng.chance(0.05)) return m;
  const h = mutateHttp(m.input, rng);
  return { input: h.input, ops: [...m.ops, ...h.ops] };
}
