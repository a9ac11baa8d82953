import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registeredErrorCodes } from '@kakehashi/core';
import { FEDERATION_OPTIONS, RATIO_KEYS } from '@kakehashi/federation';
import { describe, expect, it } from 'vitest';
import { generatedTables, README, readmeFaults, section } from './readme-tables.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(README, 'utf8');
const HOW = 'regenerate with: node tests/unit/readme-tables.ts --write';

describe('README stays true to the code', () => {
  it('documents every configuration option of every package, with its environment variable', () => {
    expect(section(readme, 'options'), `README's options table (${HOW})`).toBe(generatedTables().options);
    for (const o of FEDERATION_OPTIONS) expect(readme).toContain(`\`${o.env}\``);
  });

  it('lists every error code with its owner and status', () => {
    expect(section(readme, 'errors'), `README's error codes table (${HOW})`).toBe(generatedTables().errors);
    const owners = new Set(registeredErrorCodes().map((c) => c.owner));
    for (const owner of ['core', 'trust', 'eid', 'esig', 'edelivery', 'jp-network', 'evidence'])
      expect(owners, `the codes of ${owner} are registered`).toContain(owner);
  });

  it('lists every fault of every block, and explains how to switch them', () => {
    expect(section(readme, 'faults'), `README's faults table (${HOW})`).toBe(generatedTables().faults);
    const blocks = new Set(readmeFaults().map((f) => f.block));
    for (const block of ['hub', 'eid', 'edelivery', 'jp-network'])
      expect(blocks, `the faults of ${block} are registered`).toContain(block);
    for (const surface of [
      'GET /admin/faults',
      'PUT /admin/faults',
      'kakehashi_fault',
      'X-Kakehashi-Fault',
      '--weak-node',
    ])
      expect(readme).toContain(surface);
  });

  it('has the benchmark table generated from a bench report: every ratio key, its target, the hardware', () => {
    const bench = section(readme, 'bench');
    expect(bench, 'README section <!-- bench:begin --> … <!-- bench:end -->').toBeDefined();
    for (const k of RATIO_KEYS) expect(bench).toMatch(new RegExp(`^\\| \`${k}\` \\| `, 'm'));
    expect(bench).toMatch(/cores, .* GB RAM, Node v\d+/);
  });

  it('gives the two commands, and .ci/run calls the test command', () => {
    expect(readme).toContain('./kakehashi start');
    expect(readme).toContain('./kakehashi test');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^\.\/kakehashi test$/m);
  });
});

describe('every error code the sources raise is registered by exactly one package', () => {
  it("finds each `new KakehashiError('<code>'` of packages/*/src in the registry", async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? (n === 'node_modules' ? [] : walk(p)) : p.endsWith('.ts') ? [p] : [];
      });
    const packages = join(ROOT, 'packages');
    const raised = new Set<string>();
    for (const pkg of readdirSync(packages))
      for (const f of walk(join(packages, pkg, 'src')))
        for (const m of readFileSync(f, 'utf8').matchAll(/new KakehashiError\(\s*'([a-z0-9-]+)'/g))
          raised.add(m[1] as string);
    const registered = new Set(registeredErrorCodes().map((c) => c.code));
    expect([...raised].filter((c) => !registered.has(c))).toEqual([]);
    expect(raised.size).toBeGreaterThan(50);
  });
});
