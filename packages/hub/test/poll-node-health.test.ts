import { describe, expect, it } from 'vitest';
import { checkNodeHealth } from '../src/health/poll-node-health.ts';
import type { RegistryStore } from '../src/registry/registry-store.ts';

describe('checkNodeHealth', () => {
  it('does not follow a redirect away from the registered health URL', async () => {
    const health: string[] = [];
    const registry = {
      list: () => [{ country: 'DE', metadata: { endpoints: { health: 'http://127.0.0.1:7002/health' } } }],
      setHealth: (_cc: string, status: string, _at: string, detail?: string) => health.push(`${status} ${detail}`),
    } as unknown as RegistryStore;
    const asked: string[] = [];
    // A node that answers its health URL with a redirect to the cloud metadata service.
    const fetchDouble = (async (input: string | URL | Request, init?: RequestInit) => {
      asked.push(`${String(input)} ${init?.redirect ?? 'follow'}`);
      return new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    }) as typeof fetch;
    await checkNodeHealth({ registry, clock: { now: () => new Date(0) } as never, fetch: fetchDouble });
    expect(asked).toEqual(['http://127.0.0.1:7002/health manual']);
    expect(health).toEqual(['unreachable HTTP 302']);
  });
});
