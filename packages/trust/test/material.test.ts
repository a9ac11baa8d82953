import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@kakehashi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../src/asn1/der.ts';
import {
  cacheFileName,
  chooseValidityEpoch,
  generateTrustMaterial,
  listCertificateAuthorities,
  listKeyCerts,
} from '../src/pki/generate-material.ts';
import { generateRsaKeyPair } from '../src/pki/generate-rsa-key.ts';
import { inspectCertificate } from '../src/pki/inspect-certificate.ts';
import { TEST_ONLY_OU } from '../src/pki/issue-certificate.ts';
import { issueJpkiCertificates } from '../src/pki/issue-jpki-certificates.ts';
import type { TrustMaterial } from '../src/pki/types.ts';
import { AT, COUNTRIES, HUB_URL, material, SEED, tempDir } from './fixtures.ts';

let m: TrustMaterial;
beforeAll(() => {
  m = material();
});

const pems = (t: TrustMaterial) => listKeyCerts(t).map((k) => [k.name, k.certPem, k.keyPem]);

describe('deterministic RSA keys', () => {
  it('same stream gives the same 2048-bit key; another stream another key', () => {
    const times: number[] = [];
    const gen = (label: string) => {
      const t = performance.now();
      const k = generateRsaKeyPair(new SeededRandom('keys', label));
      times.push(performance.now() - t);
      return k;
    };
    const a = gen('a');
    const a2 = gen('a');
    const b = gen('b');
    expect(a.privateKeyPem).toBe(a2.privateKeyPem);
    expect(a.privateKeyPem).not.toBe(b.privateKeyPem);
    expect(a.privateKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    // forge's view of the key is the same key
    expect(a.forgePublicKey.n.toString(16)).toBe(
      Buffer.from(a.publicKey.export({ format: 'jwk' }).n as string, 'base64url')
        .toString('hex')
        .replace(/^0+/, ''),
    );
    console.info(`[trust] RSA-2048 deterministic keygen: ${times.map((t) => t.toFixed(0)).join(' / ')} ms`);
  });
});

describe('generateTrustMaterial', () => {
  it('is deterministic: same seed → byte-identical certificates and keys; another seed → different', () => {
    const fresh = generateTrustMaterial({ seed: SEED, countries: COUNTRIES, hubUrl: HUB_URL, now: AT });
    expect(fresh.provenance.source).toBe('generated');
    expect(pems(fresh)).toEqual(pems(m));
    const other = generateTrustMaterial({ seed: 'another seed', countries: [], hubUrl: HUB_URL, now: AT });
    expect(other.hub.rootCa.certPem).not.toBe(m.hub.rootCa.certPem);
    expect(other.hub.signing.keyPem).not.toBe(m.hub.signing.keyPem);
    console.info(
      `[trust] fresh generation of ${fresh.provenance.keys} keys+certs: ${fresh.provenance.ms.toFixed(0)} ms`,
    );
  });

  it('caches to trust-<sha256(seed)[0..16]>-<inputs>.json marked test-only; a reload equals the fresh material', () => {
    const dir = tempDir();
    const first = generateTrustMaterial({ seed: SEED, countries: COUNTRIES, hubUrl: HUB_URL, now: AT, cacheDir: dir });
    const file = first.provenance.cacheFile as string;
    expect(file.startsWith(join(dir, cacheFileName(SEED).replace(/\.json$/, '-')))).toBe(true);
    expect(file).toMatch(/trust-[0-9a-f]{16}-[0-9a-f]{8}\.json$/);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { notice: string };
    expect(json.notice).toMatch(/TEST ONLY/);
    expect(readFileSync(file, 'utf8')).not.toContain(SEED); // the seed itself is not written
    const second = generateTrustMaterial({ seed: SEED, countries: COUNTRIES, hubUrl: HUB_URL, now: AT, cacheDir: dir });
    expect(second.provenance.source).toBe('cache');
    expect(pems(second)).toEqual(pems(first));
    expect(second.hub.signing.privateKey.asymmetricKeyType).toBe('rsa');
    expect(second.countries.JP?.jpki?.ca.certificate).toBeInstanceOf(X509Certificate);
    console.info(
      `[trust] cache: write ${first.provenance.ms.toFixed(0)} ms (source ${first.provenance.source}), load ${second.provenance.ms.toFixed(1)} ms`,
    );
    // A different hub URL changes the certificates (CRL distribution points): the cache is not reused.
    const moved = generateTrustMaterial({
      seed: SEED,
      countries: [],
      hubUrl: 'http://127.0.0.1:9000',
      now: AT,
      cacheDir: dir,
    });
    expect(moved.provenance.source).toBe('generated');
  });

  it('keeps the keys in keys-<sha256(seed)[0..16]>.json: another hub URL reissues byte-identical material with them', () => {
    const dir = tempDir();
    const at = (hubUrl: string, cacheDir?: string) =>
      generateTrustMaterial({ seed: SEED, countries: [], hubUrl, now: AT, ...(cacheDir ? { cacheDir } : {}) });
    const first = at('http://127.0.0.1:9000', dir);
    const keysFile = join(dir, `keys-${cacheFileName(SEED).slice('trust-'.length, -'.json'.length)}.json`);
    const text = readFileSync(keysFile, 'utf8');
    expect((JSON.parse(text) as { notice: string }).notice).toMatch(/TEST ONLY/);
    expect(text).not.toContain(SEED);
    expect(Object.keys((JSON.parse(text) as { keys: object }).keys).sort()).toEqual(
      listKeyCerts(first)
        .map((k) => `kakehashi/trust/key/${k.name}`)
        .sort(),
    );
    // The material cache misses (another hub URL); the keys are the cached ones, the certificates the new hub's.
    const moved = at('http://127.0.0.1:9001', dir);
    expect(moved.provenance.source).toBe('generated');
    expect(moved.hub.signing.keyPem).toBe(first.hub.signing.keyPem);
    expect(moved.hub.signing.certPem).not.toBe(first.hub.signing.certPem);
    expect(pems(moved)).toEqual(pems(at('http://127.0.0.1:9001')));
    // A damaged key file is ignored: the keys are drawn again, the same.
    writeFileSync(keysFile, '{ not json');
    const keyPems = (t: TrustMaterial) => listKeyCerts(t).map((k) => [k.name, k.keyPem]);
    expect(keyPems(at('http://127.0.0.1:9002', dir))).toEqual(keyPems(first));
  });

  it('uses the documented validity epoch: 2025-01-01, CA 20 years, leaf 5 years', () => {
    const root = inspectCertificate(m.countries.DE!.rootCa.certificate);
    const leaf = inspectCertificate(m.countries.DE!.signing.certificate);
    expect(root.notBefore.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(root.notAfter.toISOString()).toBe('2045-01-01T00:00:00.000Z');
    expect(leaf.notAfter.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(chooseValidityEpoch(new Date('2031-05-05Z')).toISOString()).toBe('2031-01-01T00:00:00.000Z');
    expect(chooseValidityEpoch(new Date('2027-05-05Z')).toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it('marks every subject test-only, gives CRL distribution points under the hub, and AKI = issuer SKI', () => {
    for (const k of listKeyCerts(m)) {
      const f = inspectCertificate(k.certificate);
      expect(f.subject).toContain(`OU=${TEST_ONLY_OU}`);
      expect(f.subjectKeyId).toMatch(/^[0-9a-f]{40}$/);
      if (k.issuerName === null) {
        expect(f.selfIssued).toBe(true);
        expect(f.crlDistributionPoints).toEqual([]);
      } else {
        const issuer = listKeyCerts(m).find((x) => x.name === k.issuerName)!;
        expect(f.authorityKeyId).toBe(inspectCertificate(issuer.certificate).subjectKeyId);
        expect(f.crlDistributionPoints).toEqual([`${HUB_URL}/trust/crl/${k.issuerName}.crl`]);
        expect(k.certificate.checkIssued(issuer.certificate)).toBe(true);
        expect(k.certificate.verify(issuer.certificate.publicKey)).toBe(true);
        expect(k.chainPem[0]).toBe(issuer.certPem);
      }
    }
    expect(
      listCertificateAuthorities(m)
        .map((c) => c.name)
        .sort(),
    ).toEqual(
      [
        'DE-issuing-ca',
        'DE-root-ca',
        'JP-issuing-ca',
        'JP-jpki-ca',
        'JP-jpki-root-ca',
        'JP-root-ca',
        'hub-issuing-ca',
        'hub-root-ca',
      ].sort(),
    );
  });

  it('sets key usages and constraints per certificate type', () => {
    const de = m.countries.DE!;
    const ku = (k: { certificate: X509Certificate }) => [...(inspectCertificate(k.certificate).keyUsage ?? [])].sort();
    const bc = (k: { certificate: X509Certificate }) => inspectCertificate(k.certificate).basicConstraints;
    expect(ku(de.rootCa)).toEqual(['cRLSign', 'keyCertSign']);
    expect(bc(de.rootCa)).toEqual({ cA: true, pathLen: 1, critical: true });
    expect(bc(de.issuingCa)).toEqual({ cA: true, pathLen: 0, critical: true });
    expect(ku(de.signing)).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(bc(de.signing)?.cA).toBe(false);
    expect(ku(de.tls)).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(inspectCertificate(de.tls.certificate).extKeyUsage).toEqual([OID.serverAuth, OID.clientAuth]);
    expect(de.tls.certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(de.tls.certificate.checkHost('localhost')).toBe('localhost');
    expect(de.tls.certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(ku(de.encryption)).toEqual(['dataEncipherment', 'keyEncipherment']);
    expect(inspectCertificate(de.tlSigner.certificate).extKeyUsage).toEqual([OID.tslSigning]);
    const agency = m.countries.JP!.agencies.mhlw!;
    expect(ku(agency)).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(agency.certificate.subject).toContain('O=厚生労働省');
    expect(agency.certificate.subject).toContain('C=JP');
    expect(m.countries.JP!.jpki!.ca.certificate.subject).toContain('CN=JPKI test CA');
    expect(m.hub.signing.certificate.issuer).toBe(m.hub.issuingCa.certificate.subject);
  });
});

describe('issueJpkiCertificates', () => {
  const person = {
    id: 'jp-0001',
    name: '山田 花子',
    sex: '2',
    dateOfBirth: '19900115',
    address: '東京都千代田区霞が関1-1',
  };

  it('puts the four basic items in the signature certificate only, and is deterministic', () => {
    const a = issueJpkiCertificates(m, person);
    const sig = inspectCertificate(a.signature.certificate);
    expect(sig.otherNames).toEqual([
      { oid: '1.2.392.200149.8.5.5.1', value: '山田 花子' },
      { oid: '1.2.392.200149.8.5.5.3', value: '2' },
      { oid: '1.2.392.200149.8.5.5.4', value: '19900115' },
      { oid: '1.2.392.200149.8.5.5.5', value: '東京都千代田区霞が関1-1' },
    ]);
    expect([...(sig.keyUsage ?? [])].sort()).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(sig.subject).not.toContain('山田');
    const auth = inspectCertificate(a.authentication.certificate);
    expect(auth.otherNames).toEqual([]);
    expect(auth.x509.subjectAltName).toBeUndefined();
    for (const part of [person.name, person.dateOfBirth, person.address])
      expect(auth.der.includes(Buffer.from(part, 'utf8'))).toBe(false);
    expect(auth.extKeyUsage).toEqual([OID.clientAuth]);
    expect(a.signature.certificate.verify(m.countries.JP!.jpki!.ca.certificate.publicKey)).toBe(true);
    expect(a.signature.chainPem).toEqual([m.countries.JP!.jpki!.ca.certPem, m.countries.JP!.jpki!.rootCa.certPem]);
    const again = issueJpkiCertificates(m, person);
    expect(again.signature.certPem).toBe(a.signature.certPem);
    expect(again.authentication.keyPem).toBe(a.authentication.keyPem);
  });
});
