import { describe, expect, it } from 'vitest';
import { tr } from '../src/page/i18n.js';
import {
  artefactSections,
  buildSequence,
  type ConsoleTraceEvent,
  explainOperation,
  lifelineKey,
  lifelineOfPeer,
  toneOf,
  verdictRows,
} from '../src/page/trace-model.js';

const T = '084faabd4a63f782fbd04ad3cf57d152';
const DE = '742a02f69ed3aa5d';
const HUB = 'e97198ba5d960c52';
const EE = '820284a9d324d4d5';
const ROOT = '0000000000000001';
const origins = {
  hub: 'http://127.0.0.1:7000',
  nodes: { DE: 'http://127.0.0.1:7002', EE: 'http://127.0.0.1:7003' },
};

const ev = (e: Partial<ConsoleTraceEvent> & { operation: string }): ConsoleTraceEvent => ({
  traceId: T,
  time: '2026-11-23T22:21:00.000Z',
  ...e,
});

/**
 * The shape of a real cross-border login trace, in the order the hub stores it (a request's inbound event is
 * recorded when it ends, after its callees). Span ids repeat across requests of one component, as the hub
 * returned them at the time of writing: the parent is resolved by recording order.
 */
const LOGIN: ConsoleTraceEvent[] = [
  ev({
    component: 'hub',
    spanId: HUB,
    parentSpanId: DE,
    operation: 'GET /registry/nodes/EE',
    direction: 'inbound',
    status: 200,
    peer: 'node:DE',
  }),
  ev({
    component: 'node',
    country: 'DE',
    spanId: 'bdb5de2d095f7a98',
    parentSpanId: DE,
    operation: 'eid connector: started',
    direction: 'internal',
  }),
  ev({
    component: 'node',
    country: 'DE',
    spanId: DE,
    parentSpanId: ROOT,
    operation: 'GET /oidc/authorize',
    direction: 'inbound',
    status: 302,
  }),
  ev({
    component: 'hub',
    spanId: '6c488c251c523a3d',
    parentSpanId: HUB,
    operation: 'eid relay: request',
    direction: 'internal',
  }),
  ev({
    component: 'hub',
    spanId: HUB,
    parentSpanId: ROOT,
    operation: 'GET /eid/proxy/EE/authorize',
    direction: 'inbound',
    status: 302,
  }),
  ev({
    component: 'node',
    country: 'EE',
    spanId: EE,
    parentSpanId: ROOT,
    operation: 'GET /oidc/authorize',
    direction: 'inbound',
    status: 302,
  }),
  ev({
    component: 'node',
    country: 'EE',
    spanId: '4203b12f8afa8a03',
    parentSpanId: EE,
    operation: 'oidc: ID token issued',
    direction: 'internal',
    verdict: { valid: true },
  }),
  ev({
    component: 'node',
    country: 'EE',
    spanId: EE,
    parentSpanId: HUB,
    operation: 'POST /oidc/token',
    direction: 'inbound',
    status: 200,
  }),
  ev({
    component: 'hub',
    spanId: HUB,
    parentSpanId: DE,
    operation: 'POST /eid/proxy/EE/token',
    direction: 'inbound',
    status: 200,
  }),
  ev({
    component: 'node',
    country: 'DE',
    spanId: 'bdb5de2d095f7a98',
    parentSpanId: DE,
    operation: 'eid connector: ID token from EE validated',
    direction: 'internal',
    verdict: {
      valid: false,
      checks: [{ rule: 'J8', name: 'time', outcome: 'failed', reason: 'expired', code: 'jwt-time-invalid' }],
    },
  }),
  ev({
    component: 'node',
    country: 'DE',
    spanId: DE,
    parentSpanId: ROOT,
    operation: 'GET /eid/connector/callback',
    direction: 'inbound',
    status: 302,
  }),
];

describe('buildSequence', () => {
  const seq = buildSequence(LOGIN, origins);
  const order = seq.hops.map(
    (h) => `${h.kind === 'arrow' ? `${h.from}->${h.to}` : `note@${h.from}`} ${h.event.operation}`,
  );

  it('puts every caller before its callees (pre-order of the call tree rebuilt from parentSpanId)', () => {
    expect(order).toEqual([
      'client->node:DE GET /oidc/authorize',
      'node:DE->hub GET /registry/nodes/EE',
      'note@node:DE eid connector: started',
      'client->hub GET /eid/proxy/EE/authorize',
      'note@hub eid relay: request',
      'client->node:EE GET /oidc/authorize',
      'client->node:DE GET /eid/connector/callback',
      'node:DE->hub POST /eid/proxy/EE/token',
      'hub->node:EE POST /oidc/token',
      'note@node:EE oidc: ID token issued',
      'note@node:DE eid connector: ID token from EE validated',
    ]);
  });

  it('numbers hops from 1, keeps every event once, and nests depth by call', () => {
    expect(seq.hops.map((h) => h.n)).toEqual(LOGIN.map((_, i) => i + 1));
    expect(new Set(seq.hops.map((h) => h.index)).size).toBe(LOGIN.length);
    expect(seq.hops.find((h) => h.event.operation === 'oidc: ID token issued')?.depth).toBe(3);
  });

  it('draws lifelines in order of appearance, the outside caller first', () => {
    expect(seq.lifelines.map((l) => l.key)).toEqual(['client', 'node:DE', 'hub', 'node:EE']);
    expect(seq.lifelines[2]?.label).toContain('Core Service Platform');
  });

  it('colours by verdict, then by status', () => {
    const tones = Object.fromEntries(seq.hops.map((h) => [h.event.operation, h.tone]));
    expect(tones['oidc: ID token issued']).toBe('ok');
    expect(tones['eid connector: ID token from EE validated']).toBe('fail');
    expect(tones['GET /oidc/authorize']).toBe('neutral');
    expect(toneOf({ status: 502 })).toBe('fail');
  });

  it('draws an outbound event towards the peer the origins name, a caller header as its lifeline', () => {
    const s = buildSequence(
      [
        ev({
          component: 'node',
          country: 'JP',
          spanId: 'a',
          operation: 'POST /as4',
          direction: 'outbound',
          peer: 'http://127.0.0.1:7003/as4',
        }),
        ev({
          component: 'hub',
          spanId: 'b',
          parentSpanId: 'zz',
          operation: 'GET /x',
          direction: 'inbound',
          peer: 'node:DE',
        }),
      ],
      origins,
    );
    expect(s.hops.map((h) => [h.from, h.to])).toEqual([
      ['node:JP', 'node:EE'],
      ['node:DE', 'hub'],
    ]);
  });

  it('survives malformed traces: not an array, junk entries, parent cycles', () => {
    expect(buildSequence('nope' as unknown).hops).toEqual([]);
    expect(buildSequence([null, 3, 'x'] as unknown).hops).toEqual([]);
    const cycle = buildSequence([
      ev({ component: 'hub', spanId: 'a', parentSpanId: 'b', operation: 'A', direction: 'inbound' }),
      ev({ component: 'hub', spanId: 'b', parentSpanId: 'a', operation: 'B', direction: 'inbound' }),
    ]);
    expect(cycle.hops.map((h) => h.event.operation).sort()).toEqual(['A', 'B']);
    const odd = buildSequence([{ operation: 42 as unknown as string, direction: 'sideways' }]);
    expect(odd.hops[0]?.kind).toBe('note');
    expect(odd.lifelines[0]?.key).toBe('unknown');
  });
});

describe('helpers', () => {
  it('names lifelines hub, node:CC or the component', () => {
    expect(lifelineKey({ component: 'node', country: 'JP' })).toBe('node:JP');
    expect(lifelineKey({ component: 'hub' })).toBe('hub');
    expect(lifelineOfPeer('http://127.0.0.1:7000/eid/proxy/EE', origins)).toBe('hub');
    expect(lifelineOfPeer('not a url', origins)).toBeUndefined();
    expect(lifelineOfPeer('node:<script>', origins)).toBeUndefined();
  });

  it('splits an ID token artefact into header and claims, with NumericDate claims as ISO 8601', () => {
    const sections = artefactSections({
      type: 'id_token',
      header: { alg: 'RS256', kid: 'k1' },
      claims: { iss: 'http://127.0.0.1:7003', exp: 1795472760, amr: ['pwd'], eidas_person_identifier: 'EE/DE/abc' },
    });
    expect(sections.map((s) => s.key)).toEqual(['header', 'claims']);
    const claims = sections[1]!.rows;
    expect(claims.find((r) => r.name === 'exp')?.note).toBe(new Date(1795472760 * 1000).toISOString());
    expect(claims.find((r) => r.name === 'amr')?.value).toBe('["pwd"]');
    expect(claims.find((r) => r.name === 'eidas_person_identifier')?.value).toBe('EE/DE/abc');
    expect(artefactSections('<b>x</b>')).toEqual([]);
    expect(artefactSections({ claims: { exp: 1e300 } })[0]?.rows[0]?.note).toBeUndefined();
  });

  it('splits an mdoc artefact into its document, issuer-signed elements, MSO, issuer signature and device-signed part', () => {
    const sections = artefactSections({
      type: 'mso_mdoc',
      document: { kind: 'DeviceResponse', version: '1.0', status: 0, documents: 1, docType: 'eu.europa.ec.eudi.pid.1' },
      issuerSigned: { 'eu.europa.ec.eudi.pid.1/family_name': 'Tamm', 'eu.europa.ec.eudi.pid.1/age_over_18': true },
      mso: { digestAlgorithm: 'SHA-256', validUntil: '2026-06-02T00:00:00.000Z' },
      issuerAuth: { alg: 'ES256', x5chain: 2 },
      deviceSigned: { deviceAuth: 'deviceSignature (COSE_Sign1)', alg: 'ES256', nameSpaces: 'none' },
    });
    expect(sections.map((s) => s.key)).toEqual(['document', 'issuerSigned', 'mso', 'issuerAuth', 'deviceSigned']);
    expect(sections[1]?.rows).toEqual([
      { name: 'eu.europa.ec.eudi.pid.1/family_name', value: 'Tamm', note: undefined },
      { name: 'eu.europa.ec.eudi.pid.1/age_over_18', value: 'true', note: undefined },
    ]);
    // every section has its title in both languages
    for (const s of sections) {
      expect(tr('en', `insp.section.${s.key}`)).not.toBe(`insp.section.${s.key}`);
      expect(tr('ja', `insp.section.${s.key}`)).not.toBe(tr('en', `insp.section.${s.key}`));
    }
  });

  it('turns verdict checks into rows, whatever their shape', () => {
    expect(
      verdictRows({ valid: false, checks: [{ rule: 'J1', name: 'signed', outcome: 'passed', reason: 'RS256' }] }),
    ).toEqual([{ rule: 'J1', name: 'signed', outcome: 'passed', reason: 'RS256', code: '' }]);
    expect(verdictRows({ checks: [null, { rule: { x: 1 } }] })[1]?.rule).toBe('{"x":1}');
    expect(verdictRows(undefined)).toEqual([]);
  });

  it('explains operations for teachers', () => {
    expect(explainOperation({ operation: 'POST /oidc/token' })).toMatch(/token endpoint/);
    expect(explainOperation({ operation: 'GET /eid/proxy/EE/authorize' })).toMatch(/hub relays/);
    expect(explainOperation({ operation: 'something new', direction: 'internal' })).toMatch(/inside a request/);
  });
});
