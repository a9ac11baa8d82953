import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildQueryRequest } from '../../src/regrep/build-regrep.ts';
import { NS } from '../../src/regrep/ns.ts';
import type { QueryRequestModel } from '../../src/regrep/z-regrep.ts';

/** Our RegRep 4 QueryRequest read by an independent parser (libxml2). */
const REQUEST: QueryRequestModel = {
  id: 'urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797',
  issueDateTime: '2026-11-23T10:00:00.000Z',
  procedure: 'Registration of residence (Wohnsitzanmeldung)',
  possibilityForPreview: true,
  explicitRequestGiven: true,
  requirement: { id: 'urn:kakehashi:requirement:proof-of-residence', name: 'Proof of residence' },
  requester: {
    id: 'urn:kakehashi:participant:de:koeln-buergeramt',
    name: 'City of Cologne citizens’ office',
    country: 'DE',
  },
  provider: { id: 'urn:kakehashi:participant:jp:setagaya-city', name: 'setagaya-city', country: 'JP' },
  person: {
    personIdentifier: 'JP/DE/6grd-vbPEqrbc0piIcv5Z1BInsz2nrIEfXFTa5YwQO8',
    familyName: '山田',
    givenName: '太郎',
    dateOfBirth: '1985-04-01',
    levelOfAssurance: 'High',
  },
  evidenceType: {
    id: '8387ddbc-3618-4584-9ebd-3060d56edb6a',
    classification: 'urn:kakehashi:evidence-type:JP:juminhyo',
    title: 'Certificate of residence (copy of the resident record)',
    format: 'application/xml',
  },
};

/** True when xmllint is installed; loud when not, and a failure with KAKEHASHI_REQUIRE_TOOLS=1 (CI never skips). */
function hasXmllint(): boolean {
  if (spawnSync('sh', ['-c', 'command -v xmllint']).status === 0) return true;
  if (process.env.KAKEHASHI_REQUIRE_TOOLS === '1') throw new Error('[kakehashi/evidence] xmllint is required');
  console.warn(
    '\n!!!!! [kakehashi/evidence] xmllint is NOT INSTALLED: the independent RegRep check is SKIPPED !!!!!\n',
  );
  return false;
}

describe('RegRep 4 QueryRequest (OOTS evidence request): libxml2', () => {
  it('an independent parser (libxml2 via xmllint) reads the same namespaced structure', () => {
    if (!hasXmllint()) return;
    const dir = mkdtempSync(join(tmpdir(), 'kakehashi-regrep-'));
    try {
      const file = join(dir, 'request.xml');
      writeFileSync(file, buildQueryRequest(REQUEST));
      const xpath = (expr: string) =>
        spawnSync('xmllint', ['--nonet', '--xpath', expr, file], { encoding: 'utf8' }).stdout.trim();
      const q = `/*[local-name()='QueryRequest' and namespace-uri()='${NS.query}']`;
      const slot = (name: string) => `${q}/*[namespace-uri()='${NS.rim}' and local-name()='Slot' and @name='${name}']`;
      expect(xpath(`string(${slot('SpecificationIdentifier')})`)).toBe('oots-edm:v1.1');
      expect(xpath(`string(${slot('PossibilityForPreview')})`)).toBe('true');
      expect(
        xpath(
          `string(${q}/*[local-name()='Query']/*[@name='NaturalPerson']//*[namespace-uri()='${NS.sdg}' and local-name()='Identifier'])`,
        ),
      ).toBe(REQUEST.person.personIdentifier);
      expect(xpath(`count(${q}/*[namespace-uri()='${NS.query}' and local-name()='ResponseOption'])`)).toBe('1');
      expect(xpath(`string(${slot('EvidenceProvider')}//*[local-name()='Identifier'])`)).toBe(REQUEST.provider.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
