/**
 * The CLI's built JavaScript, cached in `.kakehashi/build`: the command line and everything it imports (the
 * workspace's TypeScript and its dependencies) bundled into a few ES modules, so a start resolves, reads and
 * links a handful of files instead of ~1,100 and strips no types. Issue 15: "start-up that ships or caches built
 * JavaScript so no type stripping happens at start".
 *
 * The bundle is never stale: its manifest lists every file that went into it (as the bundler read them) with
 * their size and modification time, and a start uses it only when every one of them is unchanged; otherwise the
 * start runs from the sources, as before, and a builder in its own low-priority process (see `runBundleBuild`)
 * writes a fresh bundle for the next start. Files read at run time beside a module (`import.meta.dirname`) are
 * still read from the sources. `KAKEHASHI_BUNDLE=0` switches the bundle off.
 *
 * This module only touches `node:` built-ins: it runs before the CLI loads anything else.
 * @see https://rolldown.rs/apis/javascript-api
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** What a bundle was built from: every input file with its size and modification time. */
export interface BundleManifest {
  /** Changes when the way bundles are built changes (older bundles are then not used). */
  format: number;
  /** The entry module the bundle was built from. */
  entry: string;
  /** The bundle's main module, relative to the build directory. */
  main: string;
  /** [absolute path, size in bytes, mtime in ms] of every file read into the bundle. */
  inputs: [string, number, number][];
}

/** Bumped whenever `buildBundle`'s output would differ for the same inputs. */
export const BUNDLE_FORMAT = 3;
const MANIFEST = 'manifest.json';
const LOCK = 'building.lock';
/** A lock older than this is left over by a builder that died: the next miss builds again. */
const STALE_LOCK_MS = 120_000;

/** Whether the input files are exactly as they were when the bundle was built (size and mtime of each). */
function unchanged(inputs: BundleManifest['inputs']): boolean {
  for (const [path, size, mtimeMs] of inputs) {
    const s = statSync(path, { throwIfNoEntry: false });
    if (!s || s.size !== size || s.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

/**
 * The main module of the bundle in `buildDir` built from `entry`, when there is one and every file it was built
 * from is unchanged; `undefined` otherwise (no bundle, another entry or format, or a source changed since).
 */
export function findBundle(buildDir: string, entry: string): string | undefined {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(join(buildDir, MANIFEST), 'utf8')) as BundleManifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== BUNDLE_FORMAT || manifest.entry !== entry || !Array.isArray(manifest.inputs)) return;
  if (!unchanged(manifest.inputs)) return undefined;
  return join(buildDir, manifest.main);
}

/**
 * Starts a builder for `entry` into `buildDir` in a detached process at the lowest CPU priority (the command that
 * asked goes on from the sources meanwhile). At most one builder runs per build directory: a lock file, taken with
 * O_EXCL, keeps the others out; one left by a builder that died is taken over after two minutes. Where the build
 * directory cannot be written (a read-only container image), nothing is started: the command runs from the sources.
 */
export function scheduleBundleBuild(buildDir: string, entry: string): void {
  try {
    mkdirSync(buildDir, { recursive: true });
  } catch {
    return; // a directory this process cannot write (a read-only image, another user's checkout): no bundle, no builder
  }
  const lock = join(buildDir, LOCK);
  const held = statSync(lock, { throwIfNoEntry: false });
  if (held && Date.now() - held.mtimeMs < STALE_LOCK_MS) return;
  if (held) rmSync(lock, { force: true });
  try {
    closeSync(openSync(lock, 'wx'));
  } catch {
    return; // another process took it first
  }
  const child = spawn(process.execPath, [join(import.meta.dirname, 'cli-bundle-build.ts'), buildDir, entry], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, KAKEHASHI_BUNDLE_LOCK: lock },
  });
  child.on('error', () => unlinkSync(lock));
  child.unref();
}
