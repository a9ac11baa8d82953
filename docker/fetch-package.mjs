// Fetches one package from the npm registry into a directory (the tarball's `package/` contents), checking the
// registry's sha512 integrity: how the image gets pnpm without npm (a Node.js binary alone has no npm).
// Usage: node fetch-package.mjs <name>@<version> <dir>   (env NPM_REGISTRY, default https://registry.npmjs.org)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';

const [spec, dir] = process.argv.slice(2);
const at = spec?.lastIndexOf('@') ?? -1;
if (!spec || !dir || at <= 0) throw new Error('usage: node fetch-package.mjs <name>@<version> <dir>');
const registry = (process.env.NPM_REGISTRY || 'https://registry.npmjs.org').replace(/\/+$/, '');
const name = spec.slice(0, at);
const version = spec.slice(at + 1);

const get = async (url) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
};
const meta = await (await get(`${registry}/${name.replace('/', '%2f')}/${version}`)).json();
const tgz = Buffer.from(await (await get(meta.dist.tarball)).arrayBuffer());
const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
if (integrity !== meta.dist.integrity)
  throw new Error(`${spec}: integrity ${integrity}, registry ${meta.dist.integrity}`);
mkdirSync(dir, { recursive: true });
const tar = spawnSync('tar', ['-xz', '-C', dir, '--strip-components=1', '--no-same-owner'], { input: tgz });
if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
process.stderr.write(`[fetch-package] ${name}@${version} in ${dir}\n`);
