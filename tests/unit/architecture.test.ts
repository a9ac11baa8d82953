import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The structure newcomers rely on, checked on every run: no import cycles between files, dependencies that point
 * one way between layers, no package reaching into another's internals, no source file over 600 lines, and no
 * declared dependency that nothing imports.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const PACKAGES = join(ROOT, 'packages');

/** Layers, lowest first: a package may import only packages of a lower layer (so blocks never import each other). */
const LAYERS: Record<string, number> = {
  core: 0,
  trust: 1,
  personas: 1,
  eid: 2,
  esig: 2,
  edelivery: 2,
  'jp-network': 2,
  evidence: 2,
  csirt: 2,
  console: 2,
  wallet: 2,
  hub: 3,
  node: 3,
  federation: 4,
  cli: 5,
  client: 5,
  msw: 5,
};
const MAX_LINES = 600;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const packageNames = readdirSync(PACKAGES).filter((n) => statSync(join(PACKAGES, n)).isDirectory());
const sources = packageNames.flatMap((pkg) => walk(join(PACKAGES, pkg, 'src')));
const packageOf = (file: string) => relative(PACKAGES, file).split('/')[0] as string;
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
}

/** File → the files it imports (relative imports resolved; `@kakehashi/x` → x's public entry). */
const graph = new Map<string, string[]>();
const crossPackage: { from: string; pkg: string; spec: string }[] = [];
for (const file of sources) {
  const deps: string[] = [];
  for (const spec of specifiers(file)) {
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      deps.push(target);
      if (packageOf(target) !== packageOf(file)) crossPackage.push({ from: file, pkg: packageOf(target), spec });
    } else if (spec.startsWith('@kakehashi/')) {
      const [, pkg, ...rest] = spec.split('/');
      crossPackage.push({ from: file, pkg: pkg as string, spec });
      if (rest.length === 0) deps.push(join(PACKAGES, pkg as string, 'src', 'index.ts'));
    }
  }
  graph.set(file, deps);
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        scc.push(relative(ROOT, w));
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

describe('the structure of the house', () => {
  it('knows the layer of every package', () => {
    expect(packageNames.filter((p) => LAYERS[p] === undefined)).toEqual([]);
  });

  it('has no import cycle between source files', () => {
    expect(cycles()).toEqual([]);
  });

  it('points dependencies one way: a package imports only packages of lower layers, through their public entry', () => {
    const wrong = crossPackage
      .filter(({ from, pkg, spec }) => {
        const own = packageOf(from);
        if (pkg === own) return false;
        const lower = (LAYERS[pkg] ?? 99) < (LAYERS[own] ?? -1);
        const throughEntry = spec === `@kakehashi/${pkg}`;
        return !lower || !throughEntry;
      })
      .map(({ from, spec }) => `${relative(ROOT, from)} imports ${spec}`);
    expect(wrong).toEqual([]);
  });

  it(`keeps every source file under ${MAX_LINES} lines`, () => {
    const long = sources
      .map((f) => ({ f: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.lines > MAX_LINES)
      .map((x) => `${x.f}: ${x.lines}`);
    expect(long).toEqual([]);
  });

  it('declares no dependency that nothing in the package uses, and uses none it does not declare', () => {
    const workspace = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies?: Record<string, string>;
    };
    // The workspace's own dev tools (vitest, fast-check, …) are declared once at the root.
    const shared = new Set(Object.keys(workspace.devDependencies ?? {}));
    const problems: string[] = [];
    for (const pkg of packageNames) {
      const manifest = JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
      // A package's scripts (e.g. the client's generator) declare what they import like its sources do.
      const scripts = join(PACKAGES, pkg, 'scripts');
      const files = [
        ...walk(join(PACKAGES, pkg, 'src')),
        ...walk(join(PACKAGES, pkg, 'test')),
        ...(existsSync(scripts) ? walk(scripts) : []),
      ];
      const texts = files.map((f) => readFileSync(f, 'utf8')).join('\n');
      const imported = new Set(
        files.flatMap((f) =>
          specifiers(f)
            .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
            .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string))),
        ),
      );
      // A peer dependency of a declared dependency is declared on purpose (e.g. zod and hono beside
      // @hono/zod-openapi), so that one copy of it is resolved for both.
      const peers = new Set(
        declared.flatMap((d) => {
          try {
            const m = JSON.parse(readFileSync(join(PACKAGES, pkg, 'node_modules', d, 'package.json'), 'utf8')) as {
              peerDependencies?: Record<string, string>;
            };
            return Object.keys(m.peerDependencies ?? {});
          } catch {
            return [];
          }
        }),
      );
      for (const dep of declared) {
        if (peers.has(dep)) continue;
        const typesOf = dep.startsWith('@types/') ? dep.slice('@types/'.length) : undefined;
        // A package may be loaded by name at run time (e.g. resolved to serve its files) rather than imported.
        const used = imported.has(dep) || (typesOf !== undefined && imported.has(typesOf)) || texts.includes(`'${dep}`);
        if (!used) problems.push(`${pkg} declares ${dep} but never uses it`);
      }
      for (const dep of imported)
        if (!declared.includes(dep) && !shared.has(dep)) problems.push(`${pkg} imports ${dep} without declaring it`);
    }
    expect(problems).toEqual([]);
  });
});
