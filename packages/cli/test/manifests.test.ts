import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The publish fields of every package (what `./kakehashi pack` relies on, and what an `npm install` of the
 * tarballs sees): the repository exports TypeScript sources, the tarball the built `dist/` mirror of them.
 * The packing itself is proven in the processes lane (tests/processes/pack-install.test.ts).
 */
const PACKAGES = join(import.meta.dirname, '..', '..');

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  engines?: Record<string, string>;
  files?: string[];
  repository?: unknown;
  exports?: Record<string, string>;
  bin?: Record<string, string>;
  publishConfig?: { exports?: Record<string, unknown>; bin?: Record<string, string>; types?: string };
  dependencies?: Record<string, string>;
}

const manifests = readdirSync(PACKAGES)
  .filter((n) => statSync(join(PACKAGES, n, 'package.json'), { throwIfNoEntry: false }))
  .map((dir) => ({ dir, m: JSON.parse(readFileSync(join(PACKAGES, dir, 'package.json'), 'utf8')) as Manifest }));
const published = manifests.filter(({ m }) => m.private !== true);

/** `./src/a/b.ts` → `./dist/a/b` (the built file without its extension). */
const built = (source: string) => source.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');

describe('the published packages', () => {
  it('include the CLI and the libraries it runs', () => {
    const names = published.map(({ m }) => m.name);
    expect(names).toContain('@kakehashi/cli');
    for (const lib of ['core', 'trust', 'personas', 'eid', 'hub', 'node', 'federation'])
      expect(names).toContain(`@kakehashi/${lib}`);
  });

  it.each(published.map(({ dir, m }) => [dir, m] as const))('%s: engines, license, files, no repository', (_, m) => {
    expect(m.engines).toEqual({ node: '>=22.13' });
    expect(m.license).toBe('Apache-2.0');
    expect(m.files).toEqual(['dist']);
    expect(m.repository).toBeUndefined();
  });

  it.each(published.map(({ dir, m }) => [dir, m] as const))('%s: publishes the build of what it exports', (_, m) => {
    const exportsMap = m.exports ?? {};
    const expected = Object.fromEntries(
      Object.entries(exportsMap).map(([key, source]) => [
        key,
        { types: `${built(source)}.d.ts`, default: `${built(source)}.js` },
      ]),
    );
    expect(m.publishConfig?.exports ?? {}).toEqual(expected);
    if (exportsMap['.']) expect(m.publishConfig?.types).toBe(`${built(exportsMap['.'])}.d.ts`);
    for (const [name, source] of Object.entries(m.bin ?? {}))
      expect(m.publishConfig?.bin?.[name]).toBe(`${built(source)}.js`);
  });

  it.each(published.map(({ dir, m }) => [dir, m] as const))(
    '%s: depends only on published packages of ours',
    (_, m) => {
      const ours = Object.keys(m.dependencies ?? {}).filter((d) => d.startsWith('@kakehashi/'));
      const privateOnes = ours.filter((d) => !published.some((p) => p.m.name === d));
      expect(privateOnes).toEqual([]);
    },
  );

  it('gives @kakehashi/cli the bin `kakehashi`, a node script', () => {
    const cli = published.find(({ m }) => m.name === '@kakehashi/cli')?.m;
    expect(cli?.bin).toEqual({ kakehashi: './src/kakehashi.ts' });
    const source = readFileSync(join(PACKAGES, 'cli', 'src', 'kakehashi.ts'), 'utf8');
    expect(source.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
