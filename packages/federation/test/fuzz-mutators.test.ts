import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classify } from '../src/fuzz/classify.ts';
import { FuzzRandom } from '../src/fuzz/fuzz-random.ts';
import { applyDerOp, DER_OPS, mutateDer, parseDer } from '../src/fuzz/mutate-der.ts';
import { formOps, mutateForm } from '../src/fuzz/mutate-form.ts';
import { applyJsonOp, mutateJson } from '../src/fuzz/mutate-json.ts';
import { JWS_OPS, mutateJws } from '../src/fuzz/mutate-jws.ts';
import { applyMimeOp, type MimeMessage, mutateMime } from '../src/fuzz/mutate-mime.ts';
import { mutateXml, XML_OPS } from '../src/fuzz/mutate-xml.ts';
import { mutateInput } from '../src/fuzz/targets.ts';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWS = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64({ iss: 'https://de.example', aud: 'rp', exp: 2_000_000_000, nonce: 'n' })}.${Buffer.from('signature-bytes').toString('base64url')}`;
const segment = (t: string, i: number) => JSON.parse(Buffer.from(t.split('.')[i] as string, 'base64url').toString());
const XML =
  '<?xml version="1.0"?><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>abc</ds:SignatureValue></ds:Signature><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1"><saml:NameID>alice</saml:NameID></saml:Assertion></samlp:Response>';
// SEQUENCE { OID sha256, INTEGER 5, OCTET STRING 'ab', SET { UTF8String 'x' } }
const DER = Buffer.from('3017' + '0609608648016503040201' + '020105' + '04026162' + '3103' + '0c0178', 'hex');
const MIME: MimeMessage = {
  contentType: 'multipart/related; boundary="MIMEBoundary_1"; type="application/soap+xml"; start="<root@x>"',
  body: Buffer.from(
    [
      '--MIMEBoundary_1',
      'Content-Type: application/soap+xml; charset=UTF-8',
      'Content-ID: <root@x>',
      '',
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>hi</env:Body></env:Envelope>',
      '--MIMEBoundary_1',
      'Content-Type: application/octet-stream',
      'Content-ID: <p1@x>',
      '',
      'payload-bytes',
      '--MIMEBoundary_1--',
      '',
    ].join('\r\n'),
  ),
};

/** `n` outputs of `mutate` with seeds s0…s(n-1). */
const outputs = <T>(n: number, mutate: (rng: FuzzRandom) => T) =>
  Array.from({ length: n }, (_, i) => mutate(new FuzzRandom(`test/${i}`)));

describe('fuzz mutators: deterministic from the seed, distinct, aimed at the structure', () => {
  it('the PRNG gives the same stream for the same label and another for another label', () => {
    const a = new FuzzRandom('s/1');
    const b = new FuzzRandom('s/1');
    const c = new FuzzRandom('s/2');
    const xs = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(xs);
    const r = new FuzzRandom('range');
    for (let i = 0; i < 1000; i++) expect(r.int(7)).toBeLessThan(7);
  });

  it.each([
    ['JWS', (rng: FuzzRandom) => mutateJws(JWS, rng)],
    ['XML', (rng: FuzzRandom) => mutateXml(XML, rng)],
    ['JSON', (rng: FuzzRandom) => mutateJson('{"token":"x","expected":{"issuer":"https://de","nonce":"n"}}', rng)],
    ['DER', (rng: FuzzRandom) => ({ ...mutateDer(DER, rng), value: mutateDer(DER, rng).value.toString('hex') })],
    [
      'form',
      (rng: FuzzRandom) =>
        mutateForm('grant_type=authorization_code&code=abc&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb', rng),
    ],
    [
      'MIME',
      (rng: FuzzRandom) => ({ ...mutateMime(MIME, rng), value: mutateMime(MIME, rng).value.body.toString('latin1') }),
    ],
  ])('%s: the same seed gives the same mutation, 200 seeds give many different ones, all changed', (_name, mutate) => {
    const first = outputs(200, mutate);
    const again = outputs(200, mutate);
    expect(again).toEqual(first);
    const distinct = new Set(first.map((m) => JSON.stringify(m.value)));
    expect(distinct.size).toBeGreaterThan(80);
    expect(new Set(first.flatMap((m) => m.ops)).size).toBeGreaterThanOrEqual(5);
  });

  it('JWS: header swaps change only the header, claim swaps only the payload, the signature flip only the signature', () => {
    const rng = new FuzzRandom('jws');
    const alg = (JWS_OPS['jws.alg-swap'] as (t: string, r: FuzzRandom) => string)(JWS, rng);
    expect(alg.split('.').slice(1)).toEqual(JWS.split('.').slice(1));
    expect(segment(alg, 0).kid).toBe('k1');
    const none = (JWS_OPS['jws.alg-none-unsigned'] as (t: string, r: FuzzRandom) => string)(JWS, rng);
    expect(String(segment(none, 0).alg).toLowerCase()).toBe('none');
    const crit = (JWS_OPS['jws.crit'] as (t: string, r: FuzzRandom) => string)(JWS, rng);
    expect(segment(crit, 0)).toHaveProperty('crit');
    const claim = (JWS_OPS['jws.claim-swap'] as (t: string, r: FuzzRandom) => string)(JWS, rng);
    expect(claim.split('.')[0]).toBe(JWS.split('.')[0]);
    expect(claim.split('.')[2]).toBe(JWS.split('.')[2]);
    expect(claim.split('.')[1]).not.toBe(JWS.split('.')[1]);
    const flip = (JWS_OPS['jws.signature-flip'] as (t: string, r: FuzzRandom) => string)(JWS, rng);
    expect(flip.split('.').slice(0, 2)).toEqual(JWS.split('.').slice(0, 2));
    expect(flip.split('.')[2]).not.toBe(JWS.split('.')[2]);
    const dup = (JWS_OPS['jws.segment-duplicate'] as (t: string, r: FuzzRandom) => string)(JWS, rng);
    expect(dup.split('.').length).toBeGreaterThan(3);
  });

  it('XML: DOCTYPE after the declaration, comments inside text, duplicated IDs, moved signatures, deep nesting', () => {
    const op = (name: string, seed = name) =>
      (XML_OPS[name] as (x: string, r: FuzzRandom) => string)(XML, new FuzzRandom(seed));
    expect(op('xml.doctype')).toMatch(/^<\?xml version="1.0"\?><!DOCTYPE r /);
    const commented = outputs(20, (rng) =>
      (XML_OPS['xml.comment-inject'] as (x: string, r: FuzzRandom) => string)(XML, rng),
    );
    expect(
      commented.some(
        (x) =>
          /<saml:NameID>[^<]*<!--[^>]*-->[^<]*<\/saml:NameID>|<saml:NameID><!--/.test(x) || /alice/.test(x) === false,
      ),
    ).toBe(true);
    for (const x of commented) expect(x).toContain('<!--');
    const ids = outputs(20, (rng) => (XML_OPS['xml.id-duplicate'] as (x: string, r: FuzzRandom) => string)(XML, rng));
    for (const x of ids) expect((x.match(/ID="_(a1|r1)"/g) ?? []).length).toBeGreaterThan(2);
    const moved = outputs(20, (rng) =>
      (XML_OPS['xml.signature-move'] as (x: string, r: FuzzRandom) => string)(XML, rng),
    );
    expect(moved.some((x) => !x.includes('<ds:Signature'))).toBe(true); // removed
    expect(moved.some((x) => (x.match(/<ds:Signature /g) ?? []).length === 2)).toBe(true); // duplicated
    expect(
      moved.some((x) => x.includes('<ds:Signature') && x.indexOf('<ds:Signature') !== XML.indexOf('<ds:Signature')),
    ).toBe(true);
    expect((op('xml.deep-nesting').match(/<n>/g) ?? []).length).toBeGreaterThanOrEqual(50);
    expect(op('xml.duplicate-attribute')).not.toBe(XML);
  });

  it('DER: structural operations keep a parseable encoding with recomputed lengths; byte ones break it', () => {
    for (const name of DER_OPS.filter((n) => /remove|duplicate|swap|oid|integer|content|retag|wrap/.test(n))) {
      const out = applyDerOp(name, DER, new FuzzRandom(name));
      expect(parseDer(out), name).toBeDefined(); // lengths recomputed: still DER
      expect(out.equals(DER), name).toBe(false);
    }
    const dup = applyDerOp('der.duplicate-node', DER, new FuzzRandom('d'));
    expect(dup.length).toBeGreaterThan(DER.length);
    const oid = outputs(10, (rng) => applyDerOp('der.oid-swap', DER, rng).toString('hex'));
    expect(oid.some((h) => !h.includes('608648016503040201'))).toBe(true);
    expect(applyDerOp('der.truncate', DER, new FuzzRandom('t')).length).toBeLessThan(DER.length);
  });

  it('form: malformed %-escapes, repeated parameters, and the SAML message inside re-encoded after an XML change', () => {
    const ops = formOps({ deflated: ['SAMLRequest'] });
    const q = `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(XML)).toString('base64'))}&RelayState=r&SigAlg=x&Signature=y`;
    const escapes = outputs(30, (rng) => (ops['form.bad-escape'] as (s: string, r: FuzzRandom) => string)(q, rng));
    const undecodable = escapes.filter((s) => {
      try {
        decodeURIComponent(s);
        return false;
      } catch {
        return true;
      }
    });
    expect(undecodable.length).toBeGreaterThan(15);
    const repeated = (ops['form.repeat-param'] as (s: string, r: FuzzRandom) => string)(q, new FuzzRandom('r'));
    const names = repeated.split('&').map((kv) => kv.split('=')[0]);
    expect(new Set(names).size).toBeLessThan(names.length);
    const inner = outputs(10, (rng) => (ops['form.artefact-xml'] as (s: string, r: FuzzRandom) => string)(q, rng));
    for (const s of inner) {
      const v = new URLSearchParams(s).get('SAMLRequest') as string;
      const xml = inflateRawSync(Buffer.from(v, 'base64')).toString();
      expect(xml).not.toBe(XML); // still DEFLATE + base64, the XML inside changed
      expect(new URLSearchParams(s).get('RelayState')).toBe('r');
    }
  });

  it('MIME: part order, Content-IDs and the boundary change where they are meant to', () => {
    const swapped = applyMimeOp('mime.part-order', MIME, new FuzzRandom('o')).body.toString();
    expect(swapped.indexOf('<p1@x>')).toBeLessThan(swapped.indexOf('<root@x>'));
    const cid = outputs(20, (rng) => applyMimeOp('mime.content-id', MIME, rng).body.toString());
    expect(cid.some((b) => !b.includes('<p1@x>') || !b.includes('<root@x>'))).toBe(true);
    const boundary = applyMimeOp('mime.boundary-header', MIME, new FuzzRandom('b'));
    expect(boundary.contentType).not.toBe(MIME.contentType);
    expect(boundary.body).toEqual(MIME.body);
    const root = applyMimeOp('mime.root-xml', MIME, new FuzzRandom('x')).body.toString();
    expect(root).toContain('payload-bytes');
    expect(root).not.toBe(MIME.body.toString());
  });

  it('JSON: duplicate keys and deep nesting in the text, wrong types in the values', () => {
    const text = '{"a":1,"b":{"c":"x"}}';
    expect(applyJsonOp('json.duplicate-key', text, new FuzzRandom('k')).match(/"[abc]":/g)?.length).toBe(4);
    expect(applyJsonOp('json.deep-nesting', text, new FuzzRandom('n')).length).toBeGreaterThan(200);
    const replaced = outputs(30, (rng) => applyJsonOp('json.replace-value', text, rng));
    expect(replaced.filter((s) => s !== text).length).toBeGreaterThan(20);
  });

  it('an entry point mutates the artefact a request carries and keeps the request otherwise intact', () => {
    const seed = {
      method: 'POST',
      url: 'http://hub.test/eid/validate/id-token',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ token: JWS, expected: { issuer: 'https://de', audience: 'rp' } })),
    };
    const inputs = outputs(50, (rng) => mutateInput('id-token', seed, rng));
    const carried = inputs.filter((m) => m.ops.every((o) => o.startsWith('jws.')));
    expect(carried.length).toBeGreaterThan(20);
    const bodies = carried.map(
      (m) => JSON.parse((m.input.body as Buffer).toString()) as { token: string; expected: unknown },
    );
    for (const body of bodies) expect(body.expected).toEqual({ issuer: 'https://de', audience: 'rp' });
    expect(bodies.filter((b) => b.token !== JWS).length).toBeGreaterThan(carried.length * 0.8);
  });

  it('classifies answers: 5xx and unreadable 4xx fail; problems, OAuth errors and SOAP faults do not', () => {
    expect(classify(500, 'application/problem+json', '{"title":"x"}')).toBe('5xx');
    expect(classify(400, 'application/problem+json', '{"title":"Bad","status":400}')).toBe('ok-4xx');
    expect(classify(400, 'application/json', '{"error":"invalid_grant"}')).toBe('ok-4xx');
    expect(classify(400, 'application/json', '{"message":"x"}')).toBe('non-problem');
    expect(classify(404, 'text/plain', '404 Not Found')).toBe('non-problem');
    expect(
      classify(400, 'application/soap+xml', '<env:Envelope><env:Body><env:Fault/></env:Body></env:Envelope>'),
    ).toBe('ok-4xx');
    expect(classify(302, '', '')).toBe('ok-2xx-3xx');
    // SOAP 1.2's HTTP binding answers MustUnderstand with 500: the protocol's own answer, counted apart; Receiver is a 5xx.
    const fault = (code: string) =>
      `<env:Envelope><env:Body><env:Fault><env:Code><env:Value>env:${code}</env:Value></env:Code></env:Fault></env:Body></env:Envelope>`;
    expect(classify(500, 'application/soap+xml', fault('MustUnderstand'))).toBe('soap-fault-5xx');
    expect(classify(500, 'application/soap+xml', fault('Receiver'))).toBe('5xx');
  });
});
