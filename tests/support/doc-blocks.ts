import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The code blocks of the documentation, and what is done with each. A block is preceded by an HTML comment that a
 * reader of the rendered page does not see:
 *
 * - `<!-- run: e2e vitest -->`: a TypeScript vitest test file, run in the e2e lane (tests/e2e/docs-snippets.test.ts)
 *   and type-checked in the processes lane (tests/processes/docs-snippets.test.ts);
 * - `<!-- run: processes shell; output: /regex/ -->`: a bash script, run in the processes lane with `npx kakehashi`
 *   and `./kakehashi` meaning this repository's CLI; its output must match the regex. `shell with-federation`: a
 *   federation is started first (`--port 0`) and `localhost:7000`…`localhost:7007` stand for its components;
 * - `<!-- not run: <reason> -->`: the reason says where the same thing is tested (tests/unit/docs-snippets.test.ts
 *   checks that the files it names exist, and what a Docker block claims).
 *
 * Every TypeScript, JavaScript and shell block of README.md and docs/*.md must carry one.
 */
export const ROOT = join(import.meta.dirname, '..', '..');
export const SNIPPETS_DIR = join(ROOT, 'tests', '.snippets');

/** Languages whose blocks must say whether and where they run. */
export const CHECKED_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'bash', 'sh', 'shell', 'console']);

export type Marker =
  | { run: true; lane: 'e2e'; kind: 'vitest' }
  | { run: true; lane: 'processes'; kind: 'shell'; withFederation: boolean; output: RegExp }
  | { run: false; reason: string };

export interface DocBlock {
  /** Path relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The comment on the line before the fence, verbatim (undefined if there is none). */
  comment: string | undefined;
  /** The parsed comment, or why it does not parse. */
  marker: Marker | { invalid: string } | undefined;
  /** `docs/use-in-your-tests.md:42`, for messages. */
  id: string;
}

/** The documentation whose blocks are checked: the root README and every page under docs/. */
export function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export function parseMarker(comment: string): Marker | { invalid: string } {
  const body = /^<!--\s*(.*?)\s*-->$/.exec(comment.trim())?.[1];
  if (body === undefined) return { invalid: 'not an HTML comment' };
  const notRun = /^not run:\s*(.+)$/.exec(body);
  if (notRun) return { run: false, reason: notRun[1] as string };
  if (/^run:\s*e2e vitest$/.test(body)) return { run: true, lane: 'e2e', kind: 'vitest' };
  const shell = /^run:\s*processes shell( with-federation)?;\s*output:\s*\/(.+)\/([a-z]*)$/.exec(body);
  if (shell) {
    try {
      return {
        run: true,
        lane: 'processes',
        kind: 'shell',
        withFederation: shell[1] !== undefined,
        output: new RegExp(shell[2] as string, shell[3]),
      };
    } catch (e) {
      return { invalid: `bad output regex: ${(e as Error).message}` };
    }
  }
  return {
    invalid:
      'expected "<!-- run: e2e vitest -->", "<!-- run: processes shell[ with-federation]; output: /regex/ -->" or "<!-- not run: <reason> -->"',
  };
}

/** Every fenced block of `file` (relative to the root), with the marker comment before it. */
export function blocksOf(file: string, text = readFileSync(join(ROOT, file), 'utf8')): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end] as string)) end++;
    const before = i > 0 ? (lines[i - 1] as string).trim() : '';
    const comment = before.startsWith('<!--') ? before : undefined;
    blocks.push({
      file,
      line: i + 1,
      lang: (open[1] as string).toLowerCase(),
      code: `${lines.slice(i + 1, end).join('\n')}\n`,
      comment,
      marker: comment === undefined ? undefined : parseMarker(comment),
      id: `${file}:${i + 1}`,
    });
    i = end;
  }
  return blocks;
}

export function docBlocks(): DocBlock[] {
  return docFiles().flatMap((f) => blocksOf(f));
}

/** The blocks to run in one lane, in document order. */
export function runBlocks<L extends 'e2e' | 'processes'>(
  lane: L,
): (DocBlock & { marker: Extract<Marker, { lane: L }> })[] {
  return docBlocks().filter(
    (b) => b.marker && 'run' in b.marker && b.marker.run && b.marker.lane === lane,
  ) as (DocBlock & {
    marker: Extract<Marker, { lane: L }>;
  })[];
}

/** A file name for a block: its page and line (`use-in-your-tests-L42`). */
export const snippetName = (b: DocBlock) => `${basename(b.file, '.md').toLowerCase()}-L${b.line}`;

/**
 * Writes the blocks as TypeScript files into tests/.snippets/<dir>/ (gitignored; inside the workspace, so their
 * imports resolve as a user's do: `@kakehashi/msw`, `msw/node`, `openid-client`, `vitest` from tests/node_modules),
 * replacing what an earlier run left there. Returns the paths, in the blocks' order.
 */
export function writeSnippets(dir: string, blocks: DocBlock[]): string[] {
  const target = join(SNIPPETS_DIR, dir);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  return blocks.map((b) => {
    const path = join(target, `${snippetName(b)}.snippet.ts`);
    writeFileSync(path, `// ${b.id} — generated from the documentation by the test that runs it.\n${b.code}`);
    return path;
  });
}
