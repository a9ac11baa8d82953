import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isKakehashiError, KakehashiError } from '../src/errors/index.ts';
import { createHubClient, type HubClient } from '../src/protocol/hub-client.ts';
import type { NodeMetadata } from '../src/protocol/node-metadata.ts';

/**
 * The typed hub client against a fake hub: a Hono app reached through an in-process fetch that, like a real
 * fetch, gives up when the request's signal aborts (so a hub that never answers times out).
 */
const HUB = 'http://hub.test:7000';

function inProcess(app: Hono, seen: { url: string; caller: string | null; method: string }[] = []): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    seen.push({ url: request.url, caller: request.headers.get('x-kakehashi-caller'), method: request.method });
    return new Promise<Response>((resolve, reject) => {
      const signal = init?.signal;
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      Promise.resolve(app.fetch(request)).then(resolve, reject);
    });
  };
}

const metadata = (country: string): NodeMetadata => {
  const url = `http://node-${country.toLowerCase()}.test:7001`;
  return {
    country,
    name: `National node ${country}`,
    url,
    iat: 1_800_000_000,
    endpoints: {
      health: `${url}/health`,
      openapi: `${url}/openapi.json`,
      docs: `${url}/docs`,
      personas: `${url}/personas`,
    },
    capabilities: ['eid'],
    services: [],
    participants: [{ id: `urn:kakehashi:participant:${country.toLowerCase()}:tax`, name: 'Tax', services: ['s'] }],
    certificates: { signing: 'SIGNING-PEM', tls: 'TLS-PEM', encryption: 'ENCRYPTION-PEM' },
  };
};

const entry = (country: string) => ({
  country,
  metadata: metadata(country),
  registeredAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  health: { status: 'ok', checkedAt: '2026-01-02T00:00:00.000Z' },
  signerSerial: '01ab',
});

const PEM = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n-----END CERTIFICATE-----\n`;

/** A fake hub serving the routes the client calls. */
function fakeHub(): Hono {
  const app = new Hono();
  app.get('/registry/nodes', (c) => c.json({ nodes: [entry('DE'), entry('JP')] }));
  app.get('/registry/nodes/:cc', (c) =>
    c.req.param('cc') === 'DE'
      ? c.json({ ...entry('DE'), signedMetadata: 'eyJ.signed.metadata' })
      : c.json({ code: 'not-found', detail: 'no such node' }, 404),
  );
  app.get('/discovery/participants/:id', (c) =>
    c.req.param('id') === 'urn:kakehashi:participant:de:tax' && c.req.query('service') === 's'
      ? c.json({
          participantId: c.req.param('id'),
          service: 's',
          country: 'DE',
          endpoint: 'http://node-de.test:7001/as4',
          certificate: PEM,
          encryptionCertificate: PEM,
        })
      : c.json({ code: 'participant-not-found', detail: 'nobody serves it' }, 404),
  );
  app.post('/registry/nodes', async (c) => {
    const { signedMetadata } = await c.req.json<{ signedMetadata: string }>();
    if (signedMetadata === 'good')
      return c.json({ country: 'DE', created: true, checks: [{ rule: 'R1', outcome: 'passed', reason: 'ok' }] }, 201);
    if (signedMetadata === 'crash') return c.json({ detail: 'boom' }, 500);
    return c.json({ code: 'registration-signature-invalid', detail: 'the signature does not verify' }, 422);
  });
  app.get('/trust', (c) =>
    c.json({
      lotl: `${HUB}/trust/lotl.xml`,
      trustedLists: { DE: `${HUB}/trust/tl/DE.xml` },
      crls: [`${HUB}/trust/crl/DE-issuing-ca.crl`],
      ocspResponders: [`${HUB}/trust/ocsp/DE-issuing-ca`],
    }),
  );
  app.get('/trust/lotl.xml', (c) => c.body('<TrustServiceStatusList/>', 200, { 'content-type': 'application/xml' }));
  app.get('/trust/tl/:file', (c) =>
    c.req.param('file') === 'DE.xml' ? c.body('<TL>DE</TL>', 200) : c.json({ code: 'not-found' }, 404),
  );
  app.get('/trust/crl/:name', (c) =>
    c.req.param('name') === 'DE-issuing-ca.crl'
      ? new Response(new Uint8Array([0x30, 0x82, 0x01, 0x02]), { headers: { 'content-type': 'application/pkix-crl' } })
      : c.json({ code: 'not-found' }, 404),
  );
  return app;
}

const client = (app: Hono, seen?: { url: string; caller: string | null; method: string }[], timeoutMs?: number) =>
  createHubClient({
    hubUrl: `${HUB}/`,
    fetch: inProcess(app, seen),
    caller: 'node:DE',
    ...(timeoutMs ? { timeoutMs } : {}),
  });

async function failure(p: Promise<unknown>): Promise<KakehashiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KakehashiError) return e;
    throw e;
  }
  throw new Error('expected a KakehashiError');
}

describe('hub client: happy paths', () => {
  const seen: { url: string; caller: string | null; method: string }[] = [];
  const hub: HubClient = client(fakeHub(), seen);

  it('normalises the hub URL and names the caller on every request', async () => {
    expect(hub.hubUrl).toBe(HUB);
    await hub.registeredNodes();
    expect(seen.at(-1)).toEqual({ url: `${HUB}/registry/nodes`, caller: 'node:DE', method: 'GET' });
  });

  it('registeredNodes: the registry entries, parsed (health kept, unknown members dropped)', async () => {
    const nodes = await hub.registeredNodes();
    expect(nodes.map((n) => n.country)).toEqual(['DE', 'JP']);
    expect(nodes[0]?.metadata).toEqual(metadata('DE'));
    expect(nodes[0]?.health).toEqual({ status: 'ok', checkedAt: '2026-01-02T00:00:00.000Z' });
    expect(nodes[0]).not.toHaveProperty('signerSerial');
  });

  it('node: one node with its signed metadata', async () => {
    const de = await hub.node('DE');
    expect(de?.signedMetadata).toBe('eyJ.signed.metadata');
    expect(de?.metadata.country).toBe('DE');
  });

  it('discover: the access point of a participant and service', async () => {
    const r = await hub.discover('urn:kakehashi:participant:de:tax', 's');
    expect(r).toMatchObject({ country: 'DE', endpoint: 'http://node-de.test:7001/as4', certificate: PEM });
    expect(seen.at(-1)?.url).toBe(
      `${HUB}/discovery/participants/${encodeURIComponent('urn:kakehashi:participant:de:tax')}?service=s`,
    );
  });

  it('register: the hub answer (created, checks), posted as JSON', async () => {
    const answer = await hub.register('good');
    expect(answer).toEqual({ country: 'DE', created: true, checks: [{ rule: 'R1', outcome: 'passed', reason: 'ok' }] });
    expect(seen.at(-1)).toMatchObject({ url: `${HUB}/registry/nodes`, method: 'POST', caller: 'node:DE' });
  });

  it('crl: the DER bytes of a CRL the hub publishes', async () => {
    const der = await hub.crl(`${HUB}/trust/crl/DE-issuing-ca.crl`);
    expect(der).toBeInstanceOf(Uint8Array);
    expect([...(der as Uint8Array)]).toEqual([0x30, 0x82, 0x01, 0x02]);
  });

  it('trustIndex, lotlXml and text: the trust publication', async () => {
    const index = await hub.trustIndex();
    expect(index.crls).toEqual([`${HUB}/trust/crl/DE-issuing-ca.crl`]);
    expect(index.trustedLists.DE).toBe(`${HUB}/trust/tl/DE.xml`);
    expect(await hub.lotlXml()).toBe('<TrustServiceStatusList/>');
    expect(await hub.text(`${HUB}/trust/tl/DE.xml`)).toBe('<TL>DE</TL>');
  });

  it('a per-call fetcher replaces the default one (the request’s tracing fetch)', async () => {
    const other: { url: string; caller: string | null; method: string }[] = [];
    const before = seen.length;
    await hub.registeredNodes(inProcess(fakeHub(), other));
    expect(other).toHaveLength(1);
    expect(other[0]?.caller).toBe('node:DE');
    expect(seen).toHaveLength(before);
  });
});

describe('hub client: what is not there', () => {
  const seen: { url: string; caller: string | null; method: string }[] = [];
  const hub = client(fakeHub(), seen);

  it('node: undefined for a country the hub does not know (404)', async () => {
    expect(await hub.node('FR')).toBeUndefined();
  });

  it('discover: participant-not-found (404) with the hub’s detail', async () => {
    const e = await failure(hub.discover('urn:kakehashi:participant:xx:none', 's'));
    expect(e.code).toBe('participant-not-found');
    expect(e.status).toBe(404);
    expect(e.message).toContain('nobody serves it');
  });

  it('crl: undefined for an unknown CRL (404) and, without a request, for a URL that is not the hub’s', async () => {
    expect(await hub.crl(`${HUB}/trust/crl/nope.crl`)).toBeUndefined();
    const before = seen.length;
    expect(await hub.crl('http://elsewhere.test/trust/crl/DE-issuing-ca.crl')).toBeUndefined();
    expect(await hub.crl(`${HUB}/trust/lotl.xml`)).toBeUndefined();
    expect(seen).toHaveLength(before);
  });

  it('text: a 404 is the hub failing its publication (502 upstream-unavailable)', async () => {
    const e = await failure(hub.text(`${HUB}/trust/tl/XX.xml`));
    expect(e.code).toBe('upstream-unavailable');
    expect(e.status).toBe(502);
  });

  it('register: a refusal keeps the hub’s code; a hub error is upstream-unavailable', async () => {
    const refused = await failure(hub.register('bad'));
    expect(refused.code).toBe('registration-refused');
    expect(refused.extra).toMatchObject({ hubCode: 'registration-signature-invalid', hubStatus: 422 });
    expect(refused.message).toContain('the signature does not verify');
    const crashed = await failure(hub.register('crash'));
    expect(crashed.code).toBe('upstream-unavailable');
    expect(crashed.extra).toMatchObject({ hubStatus: 500 });
  });
});

describe('hub client: a hub that fails', () => {
  it('a hub that does not answer (the fetch throws) → 502 upstream-unavailable on every method', async () => {
    const hub = createHubClient({
      hubUrl: HUB,
      caller: 'node:DE',
      fetch: () => Promise.reject(new TypeError('fetch failed: ECONNREFUSED')),
    });
    for (const call of [
      hub.registeredNodes(),
      hub.node('DE'),
      hub.discover('p', 's'),
      hub.register('good'),
      hub.crl(`${HUB}/trust/crl/DE-issuing-ca.crl`),
      hub.trustIndex(),
      hub.lotlXml(),
      hub.text(`${HUB}/trust/tl/DE.xml`),
    ]) {
      const e = await failure(call);
      expect(e.code).toBe('upstream-unavailable');
      expect(e.status).toBe(502);
      expect(e.message).toContain('is it up?');
    }
  });

  it('a hub whose handler throws (500) → 502 upstream-unavailable', async () => {
    const app = new Hono();
    app.get('*', () => {
      throw new Error('the hub broke');
    });
    const e = await failure(client(app).registeredNodes());
    expect(e.code).toBe('upstream-unavailable');
    expect(e.status).toBe(502);
    expect(e.extra).toMatchObject({ status: 500 });
  });

  it('a hub that never answers → 504 upstream-timeout after timeoutMs', async () => {
    const app = new Hono();
    app.get('*', () => new Promise<Response>(() => {}));
    const hub = client(app, undefined, 50);
    const started = performance.now();
    const e = await failure(hub.registeredNodes());
    expect(e.code).toBe('upstream-timeout');
    expect(e.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(isKakehashiError(await failure(hub.lotlXml()), 'upstream-timeout')).toBe(true);
  });

  it('an answer that does not match the schema → 502 upstream-unavailable', async () => {
    const app = new Hono();
    app.get('/registry/nodes', (c) => c.json({ nodes: [{ country: 'DE' }] }));
    app.get('/registry/nodes/:cc', (c) => c.json({ ...entry('DE') })); // no signedMetadata
    app.get('/discovery/participants/:id', (c) => c.text('not json'));
    app.get('/trust', (c) => c.text('not json'));
    const hub = client(app);
    for (const call of [hub.registeredNodes(), hub.node('DE'), hub.discover('p', 's'), hub.trustIndex()]) {
      const e = await failure(call);
      expect(e.code).toBe('upstream-unavailable');
      expect(e.status).toBe(502);
      expect(e.message).toContain('unexpected document');
    }
  });
});

describe('hub client: malformed discovery is not an outage', () => {
  it('discover: an endpoint with malformed members → 422 discovery-answer-invalid naming them', async () => {
    const app = new Hono();
    app.get('/discovery/participants/:id', (c) => c.json({ country: 'DE', endpoint: 'not a url', certificate: 'x' }));
    const e = await failure(client(app).discover('urn:p', 's'));
    expect([e.code, e.status]).toEqual(['discovery-answer-invalid', 422]);
    for (const field of ['endpoint', 'certificate', 'encryptionCertificate', 'urn:p'])
      expect(e.message).toContain(field);
  });

  it('discover: a lookup the hub refuses (400) → 400 validation-failed with the hub’s detail', async () => {
    const app = new Hono();
    app.get('/discovery/participants/:id', (c) =>
      c.json({ code: 'validation-failed', detail: 'query.service: too long' }, 400),
    );
    const e = await failure(client(app).discover('urn:p', 's'));
    expect([e.code, e.status]).toEqual(['validation-failed', 400]);
    expect(e.message).toContain('query.service: too long');
    expect(e.extra).toMatchObject({ hubCode: 'validation-failed', hubStatus: 400 });
  });
});
