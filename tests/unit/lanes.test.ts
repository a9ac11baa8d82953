import { readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LANES, type Lane } from '../lanes.ts';

/**
 * The lanes keep their promises (tests/lanes.ts): every test file belongs to exactly one lane, and the `unit` and
 * `e2e` lanes stay pure — no process spawned, no port opened, no external tool — so a test that needs any of those
 * and sits in the wrong lane fails here, in CI, instead of flaking later under load. The check is static: it reads
 * the test files' text.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SELF = relative(ROOT, import.meta.filename);
const SKIP = new Set(['node_modules', '.git', '.toolchain', 'test-results', '.kakehashi', 'dist', 'coverage']);

function testFiles(dir = ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(path));
    else if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(entry.name)) out.push(relative(ROOT, path));
  }
  return out.sort();
}

const inLane = (file: string, lane: Lane) =>
  lane.include.some((g) => matchesGlob(file, g)) && !(lane.exclude ?? []).some((g) => matchesGlob(file, g));

/** What a pure lane may not contain, each with the reason a reader gets when it does. */
const IMPURE: [RegExp, string][] = [
  [/from\s+['"](node:)?child_process['"]|import\(\s*['"](node:)?child_process['"]\s*\)/, 'imports child_process'],
  [/\.listen\(|\blisten\(/, 'listens on a socket'],
  [/\bcreateServer\(/, 'creates a server'],
  [/\bserve\(/, 'serves on a socket'],
  [/\bmode:\s*['"]listen['"]/, 'starts a listening federation'],
  [/\bstartCli\(/, 'spawns the CLI'],
  [/\bhasTool\(/, 'asks for an external tool'],
  [/\bopensslText\(/, 'runs openssl'],
  [/['"`](openssl|xmllint|xmlsec1|python3|\/usr\/bin\/python3|chromium)['"`]/, 'names an external tool to run'],
  [/from\s+['"]playwright-core['"]/, 'drives a browser'],
];

/** What only the docker lane may do: run the Docker engine or compose, or use the lane's engine helpers. */
const DOCKER: RegExp[] = [/['"`](docker|docker-compose|dockerd)['"`]/, /from\s+['"][^'"]*docker\/engine(\.ts)?['"]/];

/** createFederation listens unless told otherwise: in a pure lane every call says `mode: 'in-process'`. */
function listeningFederations(text: string): number {
  let count = 0;
  for (const m of text.matchAll(/\bcreateFederation\(/g)) {
    const call = text.slice(m.index, m.index + 400);
    if (!/mode:\s*['"]in-process['"]/.test(call)) count++;
  }
  return count;
}

describe('test lanes', () => {
  const files = testFiles();

  it('finds the test files of the repository', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain(SELF);
  });

  it('puts every test file in exactly one lane', () => {
    const wrong = files
      .map((file) => ({ file, lanes: LANES.filter((lane) => inLane(file, lane)).map((l) => l.name) }))
      .filter((f) => f.lanes.length !== 1);
    expect(wrong, 'files in no lane or in several (tests/lanes.ts)').toEqual([]);
  });

  it('gives every lane test files', () => {
    for (const lane of LANES) expect(files.filter((f) => inLane(f, lane)).length, lane.name).toBeGreaterThan(0);
  });

  it('keeps unit and e2e pure: no process, no port, no external tool', () => {
    const pure = LANES.filter((l) => l.name === 'unit' || l.name === 'e2e');
    const findings: string[] = [];
    for (const file of files.filter((f) => f !== SELF && pure.some((lane) => inLane(f, lane)))) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [re, why] of IMPURE) if (re.test(text)) findings.push(`${file}: ${why}`);
      if (listeningFederations(text) > 0) findings.push(`${file}: starts a federation that listens`);
    }
    expect(
      findings,
      'move these tests to the processes or conformance lane (test/processes/, test/conformance/)',
    ).toEqual([]);
  });

  it('keeps Docker in the docker lane', () => {
    const docker = LANES.find((l) => l.name === 'docker') as Lane;
    const findings = files
      .filter((f) => f !== SELF && !inLane(f, docker))
      .filter((f) => DOCKER.some((re) => re.test(readFileSync(join(ROOT, f), 'utf8'))));
    expect(findings, 'tests that run Docker belong in tests/docker/ (lane docker)').toEqual([]);
    expect(DOCKER.some((re) => re.test("run('docker', ['build', '.']);"))).toBe(true);
    expect(DOCKER.some((re) => re.test("import { engine } from '../docker/engine.ts';"))).toBe(true);
    expect(DOCKER.some((re) => re.test('// the docker lane builds the image'))).toBe(false);
  });

  it('notices an impure test (the check itself works)', () => {
    const impure = [
      "import { spawnSync } from 'node:child_process';",
      'server.listen(0);',
      "run('xmllint', ['--noout', file]);",
      "await createFederation({ config, mode: 'listen' });",
      'await createFederation({ config });',
    ];
    for (const text of impure)
      expect(IMPURE.some(([re]) => re.test(text)) || listeningFederations(text) > 0, text).toBe(true);
    expect(IMPURE.some(([re]) => re.test("it('listens to the hub', () => expect(run(x)).toBe(1));"))).toBe(false);
  });
});
