import { KakehashiError } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { buildQueryRequest, buildQueryResponse, edmException } from '../src/regrep/build-regrep.ts';
import { EDM_ERRORS, type EdmErrorName, SEVERITY } from '../src/regrep/edm-errors.ts';
import { NS } from '../src/regrep/ns.ts';
import { parseQueryRequest, parseQueryResponse } from '../src/regrep/parse-regrep.ts';
import type { QueryRequestModel } from '../src/regrep/z-regrep.ts';

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

const base = {
  requestId: REQUEST.id,
  responseId: '71c8f918-38d8-4306-ac86-1b928cacddb1',
  issueDateTime: '2026-11-23T10:00:01.000Z',
  requester: REQUEST.requester,
  provider: REQUEST.provider,
};

const refused = (f: () => unknown, code = 'evidence-regrep-invalid') => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KakehashiError);
    expect((e as KakehashiError).code).toBe(code);
    return (e as KakehashiError).message;
  }
  throw new Error('expected a refusal');
};

describe('RegRep 4 QueryRequest (OOTS evidence request)', () => {
  it('builds the OOTS shape and parses it back to the same model', () => {
    const xml = buildQueryRequest(REQUEST);
    expect(xml).toContain(`<query:QueryRequest xmlns:query="${NS.query}"`);
    expect(xml).toContain('<rim:Slot name="SpecificationIdentifier">');
    expect(xml).toContain('<query:Query queryDefinition="DocumentQuery">');
    expect(xml).toContain('<sdg:Identifier schemeID="eidas">JP/DE/');
    expect(xml).toContain('xsi:type="rim:InternationalStringValueType"');
    expect(parseQueryRequest(xml)).toEqual({ ...REQUEST, previewLocation: undefined });
    const second = {
      ...REQUEST,
      id: 'urn:uuid:11111111-1111-4111-8111-111111111111',
      previewLocation: 'http://127.0.0.1:7007/evidence/preview/abc',
    };
    expect(parseQueryRequest(buildQueryRequest(second)).previewLocation).toBe(second.previewLocation);
  });

  it('refuses what is not an OOTS request, naming why', () => {
    const xml = buildQueryRequest(REQUEST);
    refused(
      () => parseQueryRequest(`<!DOCTYPE x [<!ENTITY e "x">]>${xml.replace(/^<\?xml[^>]*>/, '')}`),
      'xml-doctype-forbidden',
    );
    refused(() => parseQueryRequest('<QueryRequest id="x"/>'));
    refused(() => parseQueryRequest(xml.replace(NS.query, 'urn:evil:query')));
    expect(
      refused(() =>
        parseQueryRequest(
          xml.replace(
            '<rim:Slot name="IssueDateTime">',
            '<rim:Slot name="IssueDateTime"><rim:SlotValue><rim:Value>x</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name="IssueDateTime">',
          ),
        ),
      ),
    ).toContain('appears twice');
    expect(refused(() => parseQueryRequest(xml.replace('schemeID="eidas"', 'schemeID="national"')))).toContain('eidas');
    expect(refused(() => parseQueryRequest(xml.replace('1985-04-01', '1985-13-45')))).toContain('dateOfBirth');
    expect(refused(() => parseQueryRequest(xml.replace('>JP/DE/', '><!--x-->JP/DE/')))).toContain('comment');
    expect(refused(() => parseQueryRequest(xml.replace('DocumentQuery', 'OtherQuery')))).toContain('DocumentQuery');
    refused(() => parseQueryRequest(xml.replace(REQUEST.id, 'not-a-uuid')));
    refused(() => parseQueryRequest('x'.repeat(300 * 1024)), 'xml-too-large');
  });
});

describe('RegRep 4 QueryResponse (evidence or EDM error)', () => {
  it('success: evidence metadata pointing at the attachment', () => {
    const model = {
      ...base,
      status: 'success' as const,
      evidence: {
        id: 'e1',
        registryObjectId: 'urn:uuid:b7c630eb-6436-498e-9b66-abafa998f429',
        classification: REQUEST.evidenceType.classification,
        title: REQUEST.evidenceType.title,
        format: 'application/xml',
        issuingDate: '2026-11-23',
        issuingAuthority: { id: REQUEST.provider.id, name: 'Setagaya City' },
        repositoryItemRef: 'cid:evidence-1@kakehashi',
      },
    };
    const xml = buildQueryResponse(model);
    expect(xml).toContain('status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"');
    expect(xml).toContain('xsi:type="rim:ExtrinsicObjectType"');
    expect(xml).toContain('xlink:href="cid:evidence-1@kakehashi"');
    const parsed = parseQueryResponse(xml);
    expect(parsed.status).toBe('success');
    expect(parsed.evidence).toEqual(model.evidence);
    expect(parsed.exception).toBeUndefined();
    refused(() => parseQueryResponse(xml.replace('cid:evidence-1@kakehashi', 'http://elsewhere/x')));
  });

  it('every EDM error round-trips with its xsi:type, code and message; PreviewRequired carries the location', () => {
    for (const name of Object.keys(EDM_ERRORS) as EdmErrorName[]) {
      const x = edmException(name, `detail of ${name}`, '2026-11-23T10:00:01.000Z');
      const parsed = parseQueryResponse(buildQueryResponse({ ...base, status: 'failure', exception: x }));
      expect(parsed.status).toBe('failure');
      expect(parsed.exception).toMatchObject({
        ...EDM_ERRORS[name],
        severity: SEVERITY.error,
        detail: `detail of ${name}`,
      });
    }
    const preview = edmException('authorization', 'preview', '2026-11-23T10:00:01.000Z', {
      previewRequired: true,
      previewLocation: 'http://127.0.0.1:7007/evidence/preview/abc',
    });
    const xml = buildQueryResponse({ ...base, status: 'failure', exception: preview });
    expect(xml).toContain('<rim:Slot name="ErrorProvider">');
    expect(xml).toContain('<rim:Slot name="PreviewLocation">');
    expect(parseQueryResponse(xml).exception).toMatchObject({
      code: 'EDM:ERR:0002',
      type: 'rs:AuthorizationExceptionType',
      severity: SEVERITY.previewRequired,
      previewLocation: 'http://127.0.0.1:7007/evidence/preview/abc',
    });
  });

  it('refuses an exception whose type and code are not a pair of the EDM list, or PreviewRequired without a location', () => {
    const x = edmException('objectNotFound', 'no', '2026-11-23T10:00:01.000Z');
    const xml = buildQueryResponse({ ...base, status: 'failure', exception: x });
    expect(refused(() => parseQueryResponse(xml.replace('EDM:ERR:0004', 'EDM:ERR:0001')))).toContain(
      'not an EDM error',
    );
    refused(() => parseQueryResponse(xml.replace(SEVERITY.error, SEVERITY.previewRequired)));
    refused(() => parseQueryResponse(xml.replace('ResponseStatusType:Failure', 'ResponseStatusType:Maybe')));
  });
});
