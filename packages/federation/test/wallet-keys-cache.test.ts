import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, LayeredConfig } from '@kakehashi/core';
import { certifiedKeysToStore, type StoredCertifiedKey } from '@kakehashi/wallet';
import { describe, expect, it } from 'vitest';
import { createFederation } from '../src/create-federation.ts';
import { FEDERATION_OPTIONS } from '../src/options.ts';

describe("the wallet block's certified keys in the trust material cache", () => {
  it('are stored beside the trust material once the federation is ready, for the next start to take', async () => {
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      env: { KAKEHASHI_COUNTRIES: 'DE,EE' },
      cli: { dataDir: ':memory:' },
    });
    const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: () => 'warn' }) });
    try {
      const seed = config.get('seed');
      // where a :memory: federation keeps its trust material (createFederation's default)
      const dir = join(process.cwd(), 'node_modules', '.cache', 'kakehashi-trust');
      const digest = createHash('sha256').update(seed).digest('hex').slice(0, 16);
      const file = JSON.parse(readFileSync(join(dir, `wallet-keys-${digest}.json`), 'utf8')) as {
        notice: string;
        keys: StoredCertifiedKey[];
      };
      expect(file.notice).toMatch(/^TEST ONLY/);
      const ids = new Set(file.keys.map((k) => k.id));
      const certified = certifiedKeysToStore(seed);
      // the PID provider's and the wallet provider's key of each EU node at least
      expect(certified.length).toBeGreaterThanOrEqual(4);
      for (const k of certified) expect(ids.has(k.id)).toBe(true);
    } finally {
      await f.close();
    }
  });
});
