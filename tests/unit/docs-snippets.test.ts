import { existsSync, readFileSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANES } from '../lanes.ts';
import { blocksOf, CHECKED_LANGS, type DocBlock, docBlocks, parseMarker, ROOT } from '../support/doc-blocks.ts';

/**
 * The documentation's code blocks are all accounted for (tests/support/doc-blocks.ts): every TypeScript, JavaScript
 * and shell block of README.md and docs/*.md is run by a lane or says why not, and a reason that points elsewhere
 * points at something true — the files it names exist, and a Docker block's commands, build arguments and variables
 * are the ones docker/Dockerfile, docker/compose.yaml and the docker lane use.
 */
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const GUIDE = 'docs/use-in-your-tests.md';
const blocks = docBlocks();
const checked = blocks.filter((b) => CHECKED_LANGS.has(b.lang));
const notRun = (b: DocBlock) => (b.marker && 'run' in b.marker && !b.marker.run ? b.marker.reason : undefined);
const runsIn = (b: DocBlock, lane: string) => !!b.marker && 'run' in b.marker && b.marker.run && b.marker.lane === lane;

describe('documentation code blocks', () => {
  it('are found in the README and the guide', () => {
    expect(checked.filter((b) => b.file === 'README.md').length).toBeGreaterThanOrEqual(3);
    expect(checked.filter((b) => b.file === GUIDE).length).toBeGreaterThanOrEqual(9);
  });

  it('each TypeScript, JavaScript and shell block is run by a lane or marked not run with a reason', () => {
    const unmarked = checked.filter((b) => b.marker === undefined).map((b) => b.id);
    expect(unmarked, 'add <!-- run: … --> or <!-- not run: <reason> --> on the line before the fence').toEqual([]);
    const invalid = checked
      .filter((b) => b.marker && 'invalid' in b.marker)
      .map((b) => `${b.id}: ${(b.marker as { invalid: string }).invalid}`);
    expect(invalid).toEqual([]);
  });

  it('runs each block as what it is: vitest files are TypeScript with assertions, shell blocks are shell', () => {
    for (const b of checked.filter((x) => runsIn(x, 'e2e'))) {
      expect(['ts', 'typescript'], b.id).toContain(b.lang);
      expect(b.code, b.id).toMatch(/from 'vitest'/);
      expect(b.code, `${b.id} asserts something`).toMatch(/\bexpect\(/);
      expect(b.code, `${b.id} names its file in a first comment`).toMatch(/^\/\/ \S+\.test\.ts\n/);
    }
    for (const b of checked.filter((x) => runsIn(x, 'processes'))) expect(['bash', 'sh'], b.id).toContain(b.lang);
  });

  it('has a runner in the right lane for every lane a block runs in', () => {
    const laneOf = (file: string) =>
      LANES.filter(
        (l) => l.include.some((g) => matchesGlob(file, g)) && !(l.exclude ?? []).some((g) => matchesGlob(file, g)),
      ).map((l) => l.name);
    expect(laneOf('tests/e2e/docs-snippets.test.ts')).toEqual(['e2e']);
    expect(laneOf('tests/processes/docs-snippets.test.ts')).toEqual(['processes']);
    expect(existsSync(join(ROOT, 'tests/e2e/docs-snippets.test.ts'))).toBe(true);
    expect(existsSync(join(ROOT, 'tests/processes/docs-snippets.test.ts'))).toBe(true);
    const lanes = new Set(
      checked.flatMap((b) => (b.marker && 'run' in b.marker && b.marker.run ? [b.marker.lane] : [])),
    );
    expect([...lanes].sort()).toEqual(['e2e', 'processes']);
  });

  it('names only files that exist in the reasons for not running a block', () => {
    const missing: string[] = [];
    for (const b of checked) {
      const reason = notRun(b);
      if (!reason) continue;
      expect(reason.length, `${b.id}: a reason, not a shrug`).toBeGreaterThan(20);
      for (const path of reason.match(
        /(?:\.?[\w-]+\/)+[\w.-]+\.(?:ts|md|yaml|sh|json)|\.ci\/run|docker\/Dockerfile/g,
      ) ?? [])
        if (!existsSync(join(ROOT, path))) missing.push(`${b.id}: ${path}`);
    }
    expect(missing).toEqual([]);
  });
});

describe("the guide's Docker blocks say what the docker lane runs", () => {
  const dockerBlocks = checked.filter((b) => /^\s*docker(\/|\s)/m.test(b.code) || /\bdocker compose\b/.test(b.code));
  const dockerfile = read('docker/Dockerfile');
  const compose = read('docker/compose.yaml');
  const lane = `${read('tests/docker/compose.test.ts')}\n${read('tests/docker/engine.ts')}`;

  it('are not run elsewhere, and name the docker lane as where they are', () => {
    expect(dockerBlocks.length).toBeGreaterThanOrEqual(3);
    for (const b of dockerBlocks) expect(notRun(b), b.id).toMatch(/the docker lane \(tests\/docker\//);
  });

  it('use the files, build arguments and variables of the image and the compose file', () => {
    for (const b of dockerBlocks) {
      for (const m of b.code.matchAll(/ -f (\S+)/g)) expect(existsSync(join(ROOT, m[1] as string)), b.id).toBe(true);
      for (const m of b.code.matchAll(/--build-arg (\w+)=/g))
        expect(dockerfile, `${b.id}: ARG ${m[1]}`).toMatch(new RegExp(`^ARG ${m[1]}\\b`, 'm'));
      for (const m of b.code.matchAll(/\b(KAKEHASHI_\w+)=/g))
        expect(compose, `${b.id}: compose reads ${m[1]}`).toContain(`\${${m[1]}:-`);
    }
    const all = dockerBlocks.map((b) => b.code).join('\n');
    for (const word of ['BASE_IMAGE', 'EXTRA_CA_CERTS', 'KAKEHASHI_HUB_URL', 'docker/compose.yaml', 'debian-base.sh'])
      expect(all).toContain(word);
  });

  it('are what the docker lane does: same Dockerfile, base script, build arguments, compose file and URLs', () => {
    for (const word of [
      "'Dockerfile'",
      'debian-base.sh',
      'BASE_IMAGE=',
      'EXTRA_CA_CERTS=',
      "'--network'",
      'docker/compose.yaml',
      "'up'",
      "'down'",
      "'--volumes'",
      'KAKEHASHI_HUB_URL',
      '`KAKEHASHI_$' + '{cc}_URL`', // the template literal that names every node's public URL
      'KAKEHASHI_PORT',
      'KAKEHASHI_IMAGE',
    ])
      expect(lane, word).toContain(word);
    // Every node's public URL variable the guide sets is one compose passes to that node as KAKEHASHI_PUBLIC_URL.
    for (const cc of ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'])
      expect(compose).toContain(`KAKEHASHI_PUBLIC_URL: "\${KAKEHASHI_${cc}_URL:-}"`);
  });
});

describe('the guide covers every way in', () => {
  const guide = blocksOf(GUIDE);
  const run = (lane: string) =>
    guide
      .filter((b) => runsIn(b, lane))
      .map((b) => b.code)
      .join('\n');

  it('msw, in process and the typed client in the e2e lane; the CLI in the processes lane', () => {
    const e2e = run('e2e');
    for (const word of [
      'createTestFederation',
      'setupServer(...fed.handlers)',
      'client.discovery(',
      'fed.issueIdToken(',
      'fed.clock.advance(',
      'fed.faults.',
      'fed.signDocument(',
      'fed.deliver(',
      "mode: 'in-process'",
      'fed.fetch(',
      "from '@kakehashi/client'",
    ])
      expect(e2e, word).toContain(word);
    const shell = run('processes');
    for (const word of ['npx kakehashi start --port 0 --json', '"federation-ready"', 'kakehashi_persona=', 'kill '])
      expect(shell, word).toContain(word);
  });

  it('is linked from the README', () => {
    expect(read('README.md')).toContain(`(${GUIDE})`);
  });
});

describe('block markers', () => {
  it('parse as documented, and refuse anything else', () => {
    expect(parseMarker('<!-- run: e2e vitest -->')).toEqual({ run: true, lane: 'e2e', kind: 'vitest' });
    expect(parseMarker('<!-- run: processes shell; output: /ok\\b/i -->')).toEqual({
      run: true,
      lane: 'processes',
      kind: 'shell',
      withFederation: false,
      output: /ok\b/i,
    });
    expect(parseMarker('<!-- run: processes shell with-federation; output: /x/ -->')).toMatchObject({
      withFederation: true,
    });
    expect(parseMarker('<!-- not run: the reason -->')).toEqual({ run: false, reason: 'the reason' });
    for (const bad of ['<!-- run: unit vitest -->', '<!-- run: processes shell -->', '<!-- maybe -->', 'run: e2e'])
      expect(parseMarker(bad), bad).toHaveProperty('invalid');
  });

  it('are found on the line before the fence, and only there', () => {
    const text = [
      '<!-- not run: no reason to -->',
      '```bash',
      'echo 1',
      '```',
      '',
      '<!-- run: e2e vitest -->',
      '',
      '```ts',
      'x',
      '```',
    ].join('\n');
    const [first, second] = blocksOf('x.md', text);
    expect(first).toMatchObject({ line: 2, lang: 'bash', code: 'echo 1\n', marker: { run: false } });
    expect(second).toMatchObject({ line: 8, lang: 'ts', marker: undefined });
  });
});
