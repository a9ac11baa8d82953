import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

/**
 * The docker lane's tools: the engine and compose found (or not), the base image built from Debian packages
 * (no image registry is reachable on these machines), the Kakehashi image built, a block of free ports for
 * host networking. Every call is bounded in time.
 */
export const ROOT = join(import.meta.dirname, '..', '..');

export interface Run {
  status: number;
  output: string;
  ms: number;
}

/** Runs a command to its end (at most `timeoutMs`), output captured; never throws on a non-zero exit. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Run {
  const started = performance.now();
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const timedOut = r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return {
    status: r.status ?? -1,
    output: `${r.stdout ?? ''}${r.stderr ?? ''}${timedOut ? `\n[timed out after ${opts.timeoutMs} ms]` : ''}${r.error && !timedOut ? `\n${r.error.message}` : ''}`,
    ms: Math.round(performance.now() - started),
  };
}

/** The last lines of a long output, for an assertion message. */
export const tail = (text: string, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');

/** Whether an engine answers (`docker info`), and why not. */
export function engine(): { ok: true; version: string } | { ok: false; why: string } {
  const r = run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 });
  if (r.status === 0 && r.output.trim()) return { ok: true, version: r.output.trim().split('\n')[0] as string };
  return { ok: false, why: tail(r.output, 3).replace(/\s+/g, ' ').trim() || `docker info exited ${r.status}` };
}

/** The compose command: the v2 plugin (`docker compose`) or the v1 program (`docker-compose`, Debian's). */
export function composeCommand(): string[] | undefined {
  if (run('docker', ['compose', 'version'], { timeoutMs: 30_000 }).status === 0) return ['docker', 'compose'];
  if (run('docker-compose', ['version'], { timeoutMs: 30_000 }).status === 0) return ['docker-compose'];
  return undefined;
}

const pemsIn = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const fingerprint = (pem: string) => {
  try {
    const cert = new X509Certificate(pem);
    return cert.ca ? cert.fingerprint256 : undefined;
  } catch {
    return undefined;
  }
};

/** Certificates Debian's ca-certificates package ships (what the image's downloads trust anyway). */
function debianRoots(dir = '/usr/share/ca-certificates'): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.crt'))
    .flatMap((f) => pemsIn(readFileSync(join(dir, f), 'utf8')));
}

/**
 * Certificate authorities this machine trusts beyond what Node.js and Debian's ca-certificates ship (a
 * TLS-intercepting proxy between the build and the npm registry): the CA certificates of NODE_EXTRA_CA_CERTS or
 * SSL_CERT_FILE that are neither among `tls.rootCertificates` nor in /usr/share/ca-certificates, as PEM — the
 * image build's EXTRA_CA_CERTS. Empty when there are none.
 */
export function extraCaCerts(): string {
  const file = process.env.NODE_EXTRA_CA_CERTS || process.env.SSL_CERT_FILE;
  if (!file || !existsSync(file)) return '';
  const known = new Set([...rootCertificates, ...debianRoots()].map(fingerprint));
  return pemsIn(readFileSync(file, 'utf8'))
    .filter((pem) => {
      const fp = fingerprint(pem);
      return fp !== undefined && !known.has(fp);
    })
    .join('\n');
}

/**
 * The base image: KAKEHASHI_DOCKER_BASE_IMAGE when set (an official Node.js image where a registry is reachable),
 * else a bare Debian built from Debian packages by docker/debian-base.sh (debootstrap, then `docker import`; its
 * root filesystem is cached, so only the first run pays for debootstrap).
 */
export function baseImage(): { image: string; build: Run | undefined } {
  const given = process.env.KAKEHASHI_DOCKER_BASE_IMAGE;
  if (given) return { image: given, build: undefined };
  const image = 'kakehashi-base:bookworm';
  return { image, build: run('bash', [join(ROOT, 'docker', 'debian-base.sh'), image], { timeoutMs: 15 * 60_000 }) };
}

const imageId = (tag: string) => run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag]).output.trim();

/**
 * Builds docker/Dockerfile on `base` as `tag` (host network: the build downloads from the npm registry). The image
 * the tag named before is removed when the build replaced it (unless a container still uses it), so reruns do not
 * pile up images.
 */
export function buildImage(base: string, tag: string): Run {
  const ca = extraCaCerts();
  const before = imageId(tag);
  const built = run(
    'docker',
    [
      'build',
      '--network',
      'host',
      '--build-arg',
      `BASE_IMAGE=${base}`,
      ...(ca ? ['--build-arg', `EXTRA_CA_CERTS=${ca}`] : []),
      '-f',
      join(ROOT, 'docker', 'Dockerfile'),
      '-t',
      tag,
      ROOT,
    ],
    { timeoutMs: 20 * 60_000 },
  );
  if (built.status === 0 && before.startsWith('sha256:') && imageId(tag) !== before) run('docker', ['rmi', before]);
  return built;
}

const listen = (port: number) =>
  new Promise<Server | undefined>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

/**
 * `count` consecutive free loopback ports (the compose file puts the hub on the first, the nodes on the next
 * ones): the first from the OS, the others checked by binding them; retried from another OS port when taken.
 */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listen(0);
    if (!first) continue;
    const base = (first.address() as { port: number }).port;
    const held: Server[] = [first];
    for (let p = base + 1; p < base + count && p < 65536; p++) {
      const s = await listen(p);
      if (!s) break;
      held.push(s);
    }
    await Promise.all(held.map(close));
    if (held.length === count) return base;
  }
  throw new Error(`no ${count} consecutive free ports on 127.0.0.1`);
}
