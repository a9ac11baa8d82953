import { describe, expect, it } from 'vitest';
import { runBlocks, writeSnippets } from '../support/doc-blocks.ts';

/**
 * The documentation's TypeScript examples, run as a reader runs them: each block marked `<!-- run: e2e vitest -->`
 * (docs/use-in-your-tests.md: @kakehashi/msw with openid-client and jose, createFederation in process, the typed
 * client) is written unchanged to tests/.snippets/e2e/ and imported inside its own describe, so its top-level code,
 * hooks and tests are this file's — with the assertions the reader sees. Everything runs in this process: msw
 * intercepts, nothing listens.
 */
const blocks = runBlocks('e2e');
const files = writeSnippets('e2e', blocks);

it("finds the guide's examples (msw login, helpers, in process, typed client)", () => {
  expect(blocks.filter((b) => b.file === 'docs/use-in-your-tests.md').length).toBeGreaterThanOrEqual(4);
});

blocks.forEach((block, i) => {
  const title = /^\/\/ (\S+)/.exec(block.code)?.[1] ?? 'example';
  describe(`${block.id} (${title})`, async () => {
    await import(files[i] as string);
  });
});
