import { createLogger, isKakehashiError, LayeredConfig } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { createFederation } from '../src/create-federation.ts';
import { FEDERATION_OPTIONS } from '../src/options.ts';
import { advertisedUrls } from '../src/public-url.ts';

const BOUND = {
  hub: 'http://0.0.0.0:7000',
  nodes: { DE: 'http://0.0.0.0:7002', EE: 'http://0.0.0.0:7003' },
};
const everything = { hub: true, nodes: ['DE', 'EE'] };

describe('publicUrl: the URL others reach a component at, apart from the bind address', () => {
  it('leaves the bind URLs when empty', () => {
    expect(advertisedUrls(BOUND, { publicUrl: '', hubUrlConfigured: false, running: everything })).toEqual(BOUND);
  });

  it('names the one component of a process, and only that one', () => {
    const de = advertisedUrls(
      { hub: 'http://hub.example.test', nodes: BOUND.nodes },
      { publicUrl: 'https://de.example.test', hubUrlConfigured: true, running: { hub: false, nodes: ['DE'] } },
    );
    expect(de).toEqual({
      hub: 'http://hub.example.test',
      nodes: { DE: 'https://de.example.test', EE: 'http://0.0.0.0:7003' },
    });
    const hub = advertisedUrls(BOUND, {
      publicUrl: 'https://hub.example.test',
      hubUrlConfigured: false,
      running: { hub: true, nodes: [] },
    });
    expect(hub).toEqual({ ...BOUND, hub: 'https://hub.example.test' });
  });

  it('refuses one origin for several components of one process', () => {
    let err: unknown;
    try {
      advertisedUrls(BOUND, { publicUrl: 'https://x.example.test', hubUrlConfigured: false, running: everything });
    } catch (e) {
      err = e;
    }
    expect(isKakehashiError(err, 'config-invalid')).toBe(true);
    expect(String((err as Error).message)).toMatch(/runs 3 \(hub, DE, EE\).*\{component\}/);
  });

  it('fills a template per component: {component} and {port}', () => {
    expect(
      advertisedUrls(BOUND, {
        publicUrl: 'https://{component}.example.test',
        hubUrlConfigured: false,
        running: everything,
      }),
    ).toEqual({
      hub: 'https://hub.example.test',
      nodes: { DE: 'https://de.example.test', EE: 'https://ee.example.test' },
    });
    expect(
      advertisedUrls(BOUND, { publicUrl: 'http://192.0.2.7:{port}', hubUrlConfigured: false, running: everything }),
    ).toEqual({
      hub: 'http://192.0.2.7:7000',
      nodes: { DE: 'http://192.0.2.7:7002', EE: 'http://192.0.2.7:7003' },
    });
  });

  it('keeps an explicit hub URL for a hub running elsewhere', () => {
    const urls = advertisedUrls(
      { hub: 'https://hub.example.test', nodes: { DE: 'http://0.0.0.0:7002' } },
      { publicUrl: 'http://127.0.0.1:{port}', hubUrlConfigured: true, running: { hub: false, nodes: ['DE'] } },
    );
    expect(urls).toEqual({ hub: 'https://hub.example.test', nodes: { DE: 'http://127.0.0.1:7002' } });
  });

  it('accepts origins and templates, refuses paths and other schemes', () => {
    const parse = (v: string) => new LayeredConfig(FEDERATION_OPTIONS, { env: { KAKEHASHI_PUBLIC_URL: v } });
    expect(parse('https://de.example.test/').get('publicUrl')).toBe('https://de.example.test');
    expect(parse('http://{component}.example.test:{port}').get('publicUrl')).toBe(
      'http://{component}.example.test:{port}',
    );
    for (const bad of ['https://example.test/de', 'ftp://example.test', 'example.test', 'http://x.test/?a=1'])
      expect(() => parse(bad), bad).toThrow(/publicUrl|KAKEHASHI_PUBLIC_URL/);
  });

  it('is what the components are built with: the issuer, the endpoints and the hub registry name it', async () => {
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_COUNTRIES: 'DE,EE', KAKEHASHI_PUBLIC_URL: 'https://{component}.kakehashi.test' },
      cli: { dataDir: ':memory:' },
    });
    const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: () => 'warn' }) });
    try {
      expect(f.urls).toEqual({
        hub: 'https://hub.kakehashi.test',
        nodes: { DE: 'https://de.kakehashi.test', EE: 'https://ee.kakehashi.test' },
      });
      const discovery = (await (
        await f.fetch('https://de.kakehashi.test/.well-known/openid-configuration')
      ).json()) as {
        issuer: string;
        token_endpoint: string;
      };
      expect(discovery.issuer).toBe('https://de.kakehashi.test');
      expect(discovery.token_endpoint).toBe('https://de.kakehashi.test/oidc/token');
      const registry = (await (await f.fetch('https://hub.kakehashi.test/registry/nodes')).json()) as {
        nodes: { country: string; metadata: { url: string } }[];
      };
      expect(registry.nodes.map((n) => [n.country, n.metadata.url])).toEqual([
        ['DE', 'https://de.kakehashi.test'],
        ['EE', 'https://ee.kakehashi.test'],
      ]);
    } finally {
      await f.close();
    }
  });
});
