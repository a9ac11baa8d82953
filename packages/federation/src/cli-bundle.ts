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
 * still read from the sources. `KAKEHASHI_BUNDLE=0` switches the bundle off. A start runs from the build's start
 * script instead, with a code cache of its own (see `runStartScript`).
 *
 * This module only touches `node:` built-ins: it runs before the CLI loads anything else.
 * @see https://rolldown.rs/apis/javascript-api
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cachedDataVersionTag } from 'node:v8';
import { Script, constants as vmConstants } from 'node:vm';

/** What a bundle was built from: every input file with its size and modification time. */
export interface BundleManifest {
  /** Changes when the way bundles are built changes (older bundles are then not used). */
  format: number;
  /** The entry module the bundle was built from. */
  entry: string;
  /** The bundle's main module, relative to the build directory. */
  main: string;
  /** The start script (see {@link runStartScript}), relative to the build directory; absent when none was built. */
  start?: string;
  /** [absolute path, size in bytes, mtime in ms] of every file read into the bundle. */
  inputs: [string, number, number][];
}

/** Bumped whenever `buildBundle`'s output would differ for the same inputs. */
export const BUNDLE_FORMAT = 4;
/** The start script's file name in a build (see {@link runStartScript}). */
export const START_SCRIPT = 'start.cjs';
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
  const manifest = freshManifest(buildDir, entry);
  return manifest && join(buildDir, manifest.main);
}

/** As {@link findBundle}, for the start script of the bundle: `undefined` also when the build has none. */
export function findStartScript(buildDir: string, entry: string): string | undefined {
  const manifest = freshManifest(buildDir, entry);
  return manifest?.start === undefined ? undefined : join(buildDir, manifest.start);
}

function freshManifest(buildDir: string, entry: string): BundleManifest | undefined {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(join(buildDir, MANIFEST), 'utf8')) as BundleManifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== BUNDLE_FORMAT || manifest.entry !== entry || !Array.isArray(manifest.inputs)) return;
  if (!unchanged(manifest.inputs)) return undefined;
  return manifest;
}

/** What {@link runStartScript} hands the script's `runCli`. */
interface StartScriptExports {
  runCli(argv: string[], hooks: { onReady?: () => void }): void;
}

/**
 * Runs `kakehashi start` from the bundle's start script, with a V8 code cache of the code the last start ran;
 * returns where that cache is and whether this start took it.
 *
 * Node's compile cache keeps a module's code as it is right after compiling it: the top level only, as V8 compiles
 * a function when it is first called. Every start then compiled again, lazily, each function it runs (the
 * federation's construction, the routers, the schemas). This script is compiled by `vm.Script` instead, and once the
 * start is ready (every component answers) its code cache is made from the script as it is then — with every
 * function compiled so far — and written beside the script; the next start takes it and compiles only what it runs
 * that the last one did not. A warm start of hub + 7 nodes (issue 15): ~8 % less CPU to ready, for ~15 MB more RSS
 * (the functions come in compiled).
 *
 * The cache is named by the script's size and modification time (a build's files are written once, in a directory
 * of their own: its path names the build) and by V8's cache version tag (V8's version and the flags the process runs
 * with), so it is offered only to this script under the same V8 and flags — a content hash of the ~5 MB text cost
 * ~8 ms a start; V8 checks it again and rejects what does not match (the script is then compiled as usual and a new
 * cache written). Written to a
 * temporary file and renamed: a start never reads half a cache. Where it cannot be written, starts go on without.
 * @see https://v8.dev/blog/code-caching-for-devs
 * @see https://nodejs.org/api/vm.html#scriptcreatecacheddata
 */
export function runStartScript(file: string, argv: string[]): { cacheFile: string; cached: boolean } {
  const fd = openSync(file, 'r');
  let bytes: Buffer;
  let version: string;
  try {
    const { size, mtimeMs } = fstatSync(fd);
    version = `${size}-${Math.round(mtimeMs * 1000).toString(36)}`;
    bytes = readFileSync(fd);
  } finally {
    closeSync(fd);
  }
  const cacheFile = `${file}.${version}-${cachedDataVersionTag().toString(16)}.v8cache`;
  // ASCII (the bundle is built so): read byte for byte into a one-byte string, nothing to decode.
  const source = bytes.toString('latin1');
  // NODE_DISABLE_COMPILE_CACHE=1: no code cache of ours either (what a start costs with nothing cached).
  const useCache = !process.env.NODE_DISABLE_COMPILE_CACHE;
  let cachedData: Buffer | undefined;
  try {
    if (useCache) cachedData = readFileSync(cacheFile);
  } catch {
    /* none yet: made once this start is ready */
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as StartScriptExports };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    createRequire(file),
    module,
    file,
    dirname(file),
  );
  module.exports.runCli(argv, {
    onReady: () => {
      if (cached || !useCache) return;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        rmSync(tmp, { force: true }); // a directory this process cannot write: the next start compiles as this one did
      }
    },
  });
  return { cacheFile, cached };
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
  // Loaded here, not imported: a start from the bundle spawns nothing, and node:child_process (with what it loads:
  // net's child-process plumbing, dgram, fs streams) cost a warm start ~5–8 ms before its own code ran (issue 15).
  const { spawn } = process.getBuiltinModule('node:child_process');
  const child = spawn(process.execPath, [join(import.meta.dirname, 'cli-bundle-build.ts'), buildDir, entry], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, KAKEHASHI_BUNDLE_LOCK: lock },
  });
  child.on('error', () => unlinkSync(lock));
  child.unref();
}
