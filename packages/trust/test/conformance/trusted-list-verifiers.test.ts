import { beforeAll, describe, expect, it } from 'vitest';
import type { TrustMaterial } from '../../src/pki/types.ts';
import { buildLotl } from '../../src/tl/build-lotl.ts';
import { buildTrustedList } from '../../src/tl/build-trusted-list.ts';
import { buildEntityList } from '../../src/tl/entity-lists.ts';
import { hasTool, material, run, tempDir, writeFiles } from '../fixtures.ts';

/** The LOTL and trusted lists checked by independent tools: libxml2 (schema) and xmlsec1 (signature). */
let m: TrustMaterial;
let lotl: string;
let tls: Record<string, string>;
/** The EUDI lists of trusted entities (ETSI TS 119 602 URIs in the TS 119 612 shape) the LOTL points at. */
let lotes: Record<string, string>;
const issue = {
  sequenceNumber: 5,
  issueDate: new Date('2026-05-01T00:00:00Z'),
  nextUpdate: new Date('2026-11-01T00:00:00Z'),
};
const withdrawnAt = new Date('2026-03-01T00:00:00Z');

beforeAll(() => {
  m = material();
  lotl = buildLotl(m, { ...issue, entityLists: ['pid-providers', 'wallet-providers'] });
  // stand-in provider certificates (the wallet package draws the real ones): any end-entity certificate will do
  lotes = {
    'EU-pid-providers.xml': buildEntityList(
      m,
      'pid-providers',
      [
        { country: 'DE', name: 'DE PID Provider', certPem: m.countries.DE!.signing.certPem },
        { country: 'JP', name: 'JP stand-in', certPem: m.countries.JP!.signing.certPem },
      ],
      issue,
    ),
    'EU-wallet-providers.xml': buildEntityList(
      m,
      'wallet-providers',
      [{ country: 'EU', name: 'Wallet provider', certPem: m.hub.signing.certPem }],
      issue,
    ),
  };
  tls = {
    DE: buildTrustedList(m, 'DE', {
      ...issue,
      services: {
        'DE-root-ca': {
          status: 'withdrawn',
          statusStartingTime: withdrawnAt,
          history: [{ status: 'granted', statusStartingTime: new Date('2025-01-01T00:00:00Z') }],
        },
      },
    }),
    JP: buildTrustedList(m, 'JP', issue),
  };
});

describe('LOTL and trusted lists: independent verifiers', () => {
  it.runIf(hasTool('xmllint'))('validate against the TS 119 612 v2.4.1 schema (xmllint)', () => {
    const dir = tempDir();
    const files = writeFiles(dir, { 'lotl.xml': lotl, 'DE.xml': tls.DE!, 'JP.xml': tls.JP!, ...lotes });
    expect(Object.keys(files)).toHaveLength(5);
    for (const file of Object.values(files)) {
      const r = run('xmllint', ['--noout', '--nonet', '--schema', '/work/shared/schemas/trusted-list.xsd', file], {
        XML_CATALOG_FILES: '/work/shared/schemas/catalog.xml',
      });
      expect(r.output, file).toContain(`${file} validates`);
      expect(r.status).toBe(0);
    }
  });

  it.runIf(hasTool('xmlsec1'))('verify with xmlsec1 from the signer chain; a one-byte change fails there too', () => {
    const dir = tempDir();
    const cases: [string, string, { rootCa: { certPem: string }; issuingCa: { certPem: string } }][] = [
      ['lotl.xml', lotl, m.hub],
      ['EU-pid-providers.xml', lotes['EU-pid-providers.xml']!, m.hub],
      ['EU-wallet-providers.xml', lotes['EU-wallet-providers.xml']!, m.hub],
      ['DE.xml', tls.DE!, m.countries.DE!],
      ['JP.xml', tls.JP!, m.countries.JP!],
    ];
    for (const [name, xml, pki] of cases) {
      const f = writeFiles(dir, {
        [name]: xml,
        'root.pem': pki.rootCa.certPem,
        'issuing.pem': pki.issuingCa.certPem,
        'bad.xml': xml.replace('Kakehashi', 'Kakehashj'),
      });
      const ok = run('xmlsec1', [
        '--verify',
        '--trusted-pem',
        f['root.pem']!,
        '--untrusted-pem',
        f['issuing.pem']!,
        f[name]!,
      ]);
      expect(ok.output, name).toMatch(/^OK$/m);
      expect(ok.status).toBe(0);
      const bad = run('xmlsec1', [
        '--verify',
        '--trusted-pem',
        f['root.pem']!,
        '--untrusted-pem',
        f['issuing.pem']!,
        f['bad.xml']!,
      ]);
      expect(bad.status).not.toBe(0);
    }
  });
});
