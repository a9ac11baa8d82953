import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchDocuments,
  GENERATED_DIR,
  GENERIC_NODE_COUNTRY,
  renderAll,
  SCHEMAS,
} from '../../packages/client/scripts/generate.ts';
import { startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * @kakehashi/client's types are generated from the documents the components serve: rendering the served documents
 * again must give the committed files byte for byte. When a route changes, this fails until
 * `node packages/client/scripts/generate.ts` is run and its output committed.
 */
const REGENERATE =
  'the committed client types differ from the served OpenAPI: run `node packages/client/scripts/generate.ts`';

/** The first line where two texts differ, for a readable failure instead of a 250 KB diff. */
function firstDifference(committed: string, served: string): string | undefined {
  if (committed === served) return undefined;
  const a = committed.split('\n');
  const b = served.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? '(end)')}, served ${JSON.stringify(b[at] ?? '(end)')}`;
}

describe('the typed client matches the served OpenAPI documents', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation(); // every country: the node schema must hold for each of them
  });
  afterAll(() => f?.dispose());

  it('every national node but Japan serves one and the same document (the `node` schema)', async () => {
    const doc = async (cc: string) => {
      const { info: _info, ...rest } = (await (await f.fetch(`${f.urls.nodes[cc]}/openapi.json`)).json()) as {
        info: unknown;
      };
      return rest;
    };
    const generic = await doc(GENERIC_NODE_COUNTRY);
    const others = Object.keys(f.urls.nodes).filter((cc) => cc !== 'JP' && cc !== GENERIC_NODE_COUNTRY);
    expect(others.length).toBeGreaterThan(3);
    for (const cc of others) expect(await doc(cc), `node ${cc}`).toEqual(generic);
    expect(await doc('JP')).not.toEqual(generic);
  });

  it('regenerates the committed files byte for byte', async () => {
    const rendered = await renderAll(await fetchDocuments(f.fetch, f.urls));
    expect(Object.keys(rendered).sort()).toEqual(
      Object.values(SCHEMAS)
        .map((s) => s.file)
        .sort(),
    );
    for (const [file, text] of Object.entries(rendered)) {
      const committed = readFileSync(join(GENERATED_DIR, file), 'utf8');
      expect(firstDifference(committed, text), `${file}: ${REGENERATE}`).toBeUndefined();
    }
  });

  it('renders deterministically (the same document twice gives the same text)', async () => {
    const docs = await fetchDocuments(f.fetch, f.urls);
    expect(await renderAll(docs)).toEqual(await renderAll(docs));
  });
});
