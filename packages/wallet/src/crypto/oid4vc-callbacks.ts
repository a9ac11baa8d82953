import { createHash, hash, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { setGlobalConfig } from '@openid4vc/openid4vci';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify, importJWK, type JWK } from 'jose';

// The federation serves plain http on loopback (and between containers): the @openid4vc libraries refuse
// non-https URLs unless told otherwise, process-wide. Kakehashi is test-only; a production issuer would not do this.
setGlobalConfig({ allowInsecureUrls: true });

/** The JWK and JWT shapes the @openid4vc callbacks pass (kept structural: no import of the libraries' types). */
type Jwk = { kty: string; [k: string]: unknown };
type JwtSigner =
  | { method: 'jwk'; publicJwk: Jwk; alg: string; kid?: string }
  | { method: 'x5c'; x5c: string[]; alg: string; kid?: string }
  | { method: string; alg: string; kid?: string; [k: string]: unknown };

/** A private key this party decrypts JWEs with, and its public JWK (with the `kid` a JWE names). */
export interface DecryptionKey {
  privateKey: KeyObject;
  publicJwk: JWK & { kid: string };
}

/** The JWE algorithms an encrypted OpenID4VP response may use (HAIP §5: ECDH-ES with A128GCM or A256GCM). */
export const JWE_ALGS = ['ECDH-ES'] as const;
export const JWE_ENCS = ['A128GCM', 'A256GCM'] as const;

/**
 * The crypto callbacks @openid4vc/openid4vci, @openid4vc/oauth2 and @openid4vc/openid4vp ask for (hash, random,
 * sign, verify, encrypt and decrypt JWTs, the SAN names of a certificate), done with node:crypto and jose.
 * `signingKey` is the one private key this party signs with (the wallet's device key with a `jwk` signer, the
 * verifier's access key with an `x5c` signer); verification takes the key the JWT names (`jwk` header or the leaf
 * of `x5c`) — only an algorithm of `jwtAlgorithms` when given — and the callers then bind that key to what they
 * expect. `decryptionKey` finds the private key of a JWE's `kid` (a verifier's key for one request); only
 * ECDH-ES with A128GCM/A256GCM decrypts, and the JWE must name that key.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#appendix-F.1
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-8.3
 */
export function oid4vcCallbacks(opts: {
  fetch: typeof fetch;
  signingKey?: KeyObject;
  jwtAlgorithms?: readonly string[];
  decryptionKey?: (kid: string | undefined) => DecryptionKey | undefined;
}) {
  return {
    // the libraries pass a URL object at times; the federation's fetch wrappers expect a string
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      opts.fetch(input instanceof URL ? input.toString() : input, init)) as typeof fetch,
    hash: (data: Uint8Array, alg: string) => {
      if (alg !== 'sha-256') throw new Error(`hash ${alg} is not supported (sha-256 only)`);
      return new Uint8Array(createHash('sha256').update(data).digest());
    },
    generateRandom: (n: number) => new Uint8Array(randomBytes(n)),
    signJwt: async (signer: JwtSigner, jwt: { header: Record<string, unknown>; payload: Record<string, unknown> }) => {
      if (!opts.signingKey) throw new Error('this party holds no signing key');
      if (signer.method !== 'jwk' && signer.method !== 'x5c')
        throw new Error(`signer method ${signer.method} is not supported (jwk, x5c)`);
      const compact = await new CompactSign(new TextEncoder().encode(JSON.stringify(jwt.payload)))
        .setProtectedHeader({ ...jwt.header, alg: signer.alg } as never)
        .sign(opts.signingKey);
      return { jwt: compact, signerJwk: signerJwk(signer) as Jwk };
    },
    verifyJwt: async (signer: JwtSigner, jwt: { compact: string }) => {
      if (opts.jwtAlgorithms && !opts.jwtAlgorithms.includes(signer.alg))
        throw new Error(`the JWT is ${signer.alg}, not ${opts.jwtAlgorithms.join(' or ')}`);
      const jwk = signerJwk(signer);
      if (!jwk) return { verified: false as const };
      try {
        await compactVerify(jwt.compact, await importJWK(jwk as JWK, signer.alg), { algorithms: [signer.alg] });
        return { verified: true as const, signerJwk: jwk };
      } catch {
        return { verified: false as const, signerJwk: jwk };
      }
    },
    encryptJwe: async (
      encryptor: { publicJwk: Jwk; alg: string; enc: string; apu?: string; apv?: string },
      data: string,
    ) => {
      const kid = typeof encryptor.publicJwk.kid === 'string' ? encryptor.publicJwk.kid : undefined;
      const jwe = new CompactEncrypt(new TextEncoder().encode(data)).setProtectedHeader({
        alg: encryptor.alg,
        enc: encryptor.enc,
        ...(kid ? { kid } : {}),
      });
      if (encryptor.apu || encryptor.apv)
        jwe.setKeyManagementParameters({
          ...(encryptor.apu ? { apu: Buffer.from(encryptor.apu, 'base64url') } : {}),
          ...(encryptor.apv ? { apv: Buffer.from(encryptor.apv, 'base64url') } : {}),
        });
      return {
        jwe: await jwe.encrypt(await importJWK(encryptor.publicJwk as JWK, encryptor.alg)),
        encryptionJwk: encryptor.publicJwk,
      };
    },
    decryptJwe: async (jwe: string, options?: { jwk?: Jwk }) => {
      const kid = typeof options?.jwk?.kid === 'string' ? options.jwk.kid : undefined;
      const key = opts.decryptionKey?.(kid);
      if (!key) return { decrypted: false as const };
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(jwe, key.privateKey, {
          keyManagementAlgorithms: [...JWE_ALGS],
          contentEncryptionAlgorithms: [...JWE_ENCS],
        });
        if (protectedHeader.kid !== key.publicJwk.kid) return { decrypted: false as const };
        return {
          decrypted: true as const,
          decryptionJwk: key.publicJwk as Jwk,
          payload: new TextDecoder().decode(plaintext),
        };
      } catch {
        return { decrypted: false as const };
      }
    },
    getX509CertificateMetadata: (certificate: string) => {
      const cert = new X509Certificate(Buffer.from(certificate, 'base64'));
      const names = (cert.subjectAltName ?? '').split(/,\s*/);
      return {
        sanDnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4).toLowerCase()),
        sanUriNames: names.filter((n) => n.startsWith('URI:')).map((n) => n.slice(4)),
      };
    },
    clientAuthentication: () => {},
  };
}

/** Why the library refused: its OAuth error description, else the first line of its message. */
export function libraryReason(e: unknown): string {
  const described = (e as { errorResponse?: { error_description?: unknown } } | undefined)?.errorResponse
    ?.error_description;
  const text = typeof described === 'string' ? described : e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]?.slice(0, 300) ?? 'refused';
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

/**
 * The b64url SHA-256 of an ASCII string (SD-JWT digests and sd_hash, RFC 9901 §4.2.3, §4.3.1): node:crypto's one-shot
 * hash, no Hash object per digest, over the string's UTF-8 bytes as @sd-jwt's hashers and jose take a string — the
 * US-ASCII bytes of base64url text exactly; a character beyond ASCII never gives the digest of another text (one
 * byte per character, as `update(s, 'ascii')` took them, made U+0141 hash as `A`). Node's UTF-8 encoding is also
 * the fast one (a 6 KB presentation: ~4 µs hashed from the string, ~8 through a latin1 Buffer).
 */
export function sha256b64url(ascii: string): string {
  return hash('sha256', ascii, 'base64url');
}
