import { createHash, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { setGlobalConfig } from '@openid4vc/openid4vci';
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';

// The federation serves plain http on loopback (and between containers): the @openid4vc libraries refuse
// non-https URLs unless told otherwise, process-wide. Kakehashi is test-only; a production issuer would not do this.
setGlobalConfig({ allowInsecureUrls: true });

/** The JWK and JWT shapes the @openid4vc callbacks pass (kept structural: no import of the libraries' types). */
type Jwk = { kty: string; [k: string]: unknown };
type JwtSigner =
  | { method: 'jwk'; publicJwk: Jwk; alg: string; kid?: string }
  | { method: 'x5c'; x5c: string[]; alg: string; kid?: string }
  | { method: string; alg: string; kid?: string; [k: string]: unknown };

/**
 * The crypto callbacks @openid4vc/openid4vci and @openid4vc/oauth2 ask for (hash, random, sign and verify JWTs),
 * done with node:crypto and jose. `signingKey` is the one private key this party signs with (the wallet's device
 * key); verification takes the key the JWT names (`jwk` header or the leaf of `x5c`), and the callers then bind
 * that key to what they expect.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#appendix-F.1
 */
export function oid4vcCallbacks(opts: { fetch: typeof fetch; signingKey?: KeyObject }) {
  return {
    fetch: opts.fetch,
    hash: (data: Uint8Array, alg: string) => {
      if (alg !== 'sha-256') throw new Error(`hash ${alg} is not supported (sha-256 only)`);
      return new Uint8Array(createHash('sha256').update(data).digest());
    },
    generateRandom: (n: number) => new Uint8Array(randomBytes(n)),
    signJwt: async (signer: JwtSigner, jwt: { header: Record<string, unknown>; payload: Record<string, unknown> }) => {
      if (!opts.signingKey) throw new Error('this party holds no signing key');
      if (signer.method !== 'jwk') throw new Error(`signer method ${signer.method} is not supported (jwk only)`);
      const compact = await new CompactSign(new TextEncoder().encode(JSON.stringify(jwt.payload)))
        .setProtectedHeader({ ...jwt.header, alg: signer.alg } as never)
        .sign(opts.signingKey);
      return { jwt: compact, signerJwk: (signer as { publicJwk: Jwk }).publicJwk };
    },
    verifyJwt: async (signer: JwtSigner, jwt: { compact: string }) => {
      const jwk = signerJwk(signer);
      if (!jwk) return { verified: false as const };
      try {
        await compactVerify(jwt.compact, await importJWK(jwk as JWK, signer.alg), { algorithms: [signer.alg] });
        return { verified: true as const, signerJwk: jwk };
      } catch {
        return { verified: false as const, signerJwk: jwk };
      }
    },
    clientAuthentication: () => {},
  };
}

/** The public key a JWT signer names: its `jwk`, or the key of the first `x5c` certificate. */
function signerJwk(signer: JwtSigner): Jwk | undefined {
  if (signer.method === 'jwk') return (signer as { publicJwk: Jwk }).publicJwk;
  if (signer.method === 'x5c') {
    const leaf = (signer as { x5c: string[] }).x5c[0];
    if (!leaf) return undefined;
    return new X509Certificate(Buffer.from(leaf, 'base64')).publicKey.export({ format: 'jwk' }) as Jwk;
  }
  return undefined;
}

/** The b64url SHA-256 of an ASCII string (SD-JWT digests and sd_hash, RFC 9901 §4.2.3, §4.3.1). */
export function sha256b64url(ascii: string): string {
  return createHash('sha256').update(ascii, 'ascii').digest('base64url');
}
