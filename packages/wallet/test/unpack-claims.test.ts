import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { describe, expect, it } from 'vitest';
import { sha256b64url } from '../src/crypto/oid4vc-callbacks.ts';
import { sdJwtHasher } from '../src/issuer/issue-sd-jwt.ts';
import { type ParsedDisclosure, unpackClaims } from '../src/verifier/unpack-claims.ts';

/**
 * The verifier puts the disclosures in place itself (issue 15: @sd-jwt's getClaims decoded, hashed and copied the
 * whole SD-JWT a second time): compared here with that library's answer on the same SD-JWT, structure by structure.
 */
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function disclose(...arr: unknown[]) {
  const encoded = b64(arr);
  return { encoded, digest: sha256b64url(encoded), name: arr.length === 3 ? arr[1] : undefined, value: arr.at(-1) };
}

async function both(payload: Record<string, unknown>, ds: ReturnType<typeof disclose>[]) {
  const sdJwt = `${b64({ alg: 'ES256', typ: 'dc+sd-jwt' })}.${b64(payload)}.c2ln~${ds.map((d) => `${d.encoded}~`).join('')}`;
  const library = await new SDJwtVcInstance({ hasher: sdJwtHasher }).getClaims(sdJwt);
  const byDigest = new Map<string, ParsedDisclosure>(ds.map((d) => [d.digest, d]));
  return { library, ours: unpackClaims(payload, byDigest) };
}

describe('unpackClaims, as @sd-jwt/decode 0.19 unpacks', () => {
  it('members, nested objects, array elements (a digest not disclosed drops its element), a disclosure inside a disclosure', async () => {
    const street = disclose('s1', 'street_address', 'Tähe 1');
    const address = disclose('s2', 'address', { _sd: [street.digest], country: 'EE' });
    const fr = disclose('s3', 'FR');
    const given = disclose('s4', 'given_name', 'Mari');
    const payload = {
      iss: 'https://ee.example',
      _sd_alg: 'sha-256',
      _sd: [given.digest, address.digest, sha256b64url('undisclosed')],
      nationalities: ['EE', { '...': fr.digest }, { '...': sha256b64url('not presented') }],
      nested: { deeper: { _sd: [], keep: [1, null, { a: 'b' }] } },
      cnf: { jwk: { kty: 'EC' } },
    };
    const { library, ours } = await both(payload, [given, address, street, fr]);
    expect(ours).toEqual(library);
    expect(ours).toMatchObject({ given_name: 'Mari', address: { street_address: 'Tähe 1', country: 'EE' } });
    expect(ours.nationalities).toEqual(['EE', 'FR']);
    expect('_sd_alg' in ours || '_sd' in (ours.nested as { deeper: object }).deeper).toBe(false);
  });

  it('the odd cases kept as the library has them: a disclosed member over a plain one, an element disclosure in _sd', async () => {
    const over = disclose('s1', 'given_name', 'Disclosed');
    const element = disclose('s2', 'an element');
    const proto = disclose('s3', '__proto__', { polluted: true });
    const payload = {
      given_name: 'Plain',
      _sd: [over.digest, element.digest, proto.digest],
      list: [{ '...': over.digest }],
    };
    const { library, ours } = await both(payload, [over, element, proto]);
    expect(ours).toEqual(library);
    expect(ours.given_name).toBe('Disclosed');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((ours as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves the payload and the disclosed values as they were', async () => {
    const inner = disclose('s1', 'street_address', 'Tähe 1');
    const address = disclose('s2', 'address', { _sd: [inner.digest] });
    const payload = { _sd: [address.digest] };
    const before = JSON.stringify({ payload, address: address.value });
    unpackClaims(payload, new Map([inner, address].map((d) => [d.digest, d])));
    expect(JSON.stringify({ payload, address: address.value })).toBe(before);
  });
});
