import { z } from 'zod';
import type { OptionSpec } from './layered-config.ts';

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().int().positive();

/** A list of strings, given as an array (config file) or comma-separated (environment, flag); entries trimmed. */
const commaList = (normalise: (entry: string) => string = (e) => e) =>
  z.union([
    z.array(z.string()),
    z.string().transform((s) =>
      s
        .split(',')
        .map((c) => normalise(c.trim()))
        .filter(Boolean),
    ),
  ]);

/**
 * An origin (scheme, host, optional port; http or https), possibly with `{component}` and `{port}` placeholders:
 * checked with sample values in their place. Empty means "derive it from the bind address".
 */
const publicUrlTemplate = z
  .string()
  .transform((s) => s.trim().replace(/\/+$/, ''))
  .refine(
    (s) => {
      if (s === '') return true;
      try {
        const u = new URL(s.replaceAll('{component}', 'hub').replaceAll('{port}', '7000'));
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.pathname === '/' && !u.search && !u.hash;
      } catch {
        return false;
      }
    },
    { message: 'an http(s) origin without path, query or fragment (placeholders: {component}, {port})' },
  );

/**
 * The options every component shares (process, HTTP boundary, XML limits, clock). Building blocks declare
 * their own options in their packages (`EID_OPTIONS`, `HUB_OPTIONS`, …); the federation's configuration is the
 * union (`FEDERATION_OPTIONS` in @kakehashi/federation), and the README's table is generated from that union.
 */
export const CORE_OPTIONS = [
  {
    key: 'seed',
    env: 'KAKEHASHI_SEED',
    flag: '--seed',
    schema: z.string().min(1).max(200),
    default: 'kakehashi-demo',
    description:
      'Seed of everything generated: keys, certificates, personas, identifiers. The same seed reproduces a run; a new seed regenerates the trust fabric.',
  },
  {
    key: 'dataDir',
    env: 'KAKEHASHI_DATA_DIR',
    flag: '--data-dir',
    schema: z.string().min(1),
    default: '.kakehashi',
    description:
      'Directory for the embedded stores (one SQLite file per component) and the trust cache. `:memory:` keeps stores in memory.',
  },
  {
    key: 'trustCacheDir',
    env: 'KAKEHASHI_TRUST_CACHE_DIR',
    schema: z.string(),
    default: '',
    description:
      'Where generated trust material is cached (keyed by seed). Empty: `<dataDir>/trust`, or a cache under node_modules when dataDir is `:memory:`.',
  },
  {
    key: 'host',
    env: 'KAKEHASHI_HOST',
    schema: z.string().min(1),
    default: '127.0.0.1',
    description: 'Address every component listens on.',
  },
  {
    key: 'publicUrl',
    env: 'KAKEHASHI_PUBLIC_URL',
    schema: publicUrlTemplate,
    default: '',
    description:
      "Origin others reach a component at, when it is not the bind address (`host`, `port`): behind a proxy, in a container, across hosts. Issuers, endpoints, metadata and the hub's registry name it. One component per process (`--only`): its URL. Several: a template, `{component}` becoming `hub` or the country code in lower case and `{port}` the component's port (`https://{component}.example.test`, `http://192.0.2.7:{port}`). Empty: `http://<host>:<port>`.",
  },
  {
    key: 'port',
    env: 'KAKEHASHI_PORT',
    flag: '--port',
    schema: port,
    default: 7000,
    description:
      'Port of the hub; the nodes listen on the ports after it, in the fixed country order. `0`: every component takes a free port from the OS (the banner and the `--json` ready lines give the real URLs).',
  },
  {
    key: 'countries',
    env: 'KAKEHASHI_COUNTRIES',
    schema: commaList((c) => c.toUpperCase()),
    default: ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'] as string[],
    description: 'Countries whose national nodes run (comma-separated ISO 3166 codes).',
  },
  {
    key: 'hubUrl',
    env: 'KAKEHASHI_HUB_URL',
    flag: '--hub',
    schema: z.string().url().or(z.literal('')),
    default: '',
    description:
      'URL of the hub, for a component started alone (`--only node:CC`). Empty: the hub is at `http://<host>:<port>`.',
  },
  {
    key: 'logLevel',
    env: 'KAKEHASHI_LOG_LEVEL',
    schema: z.enum(['debug', 'info', 'warn', 'error']),
    default: 'info',
    description: 'Minimum level of log lines.',
    runtime: true,
  },
  {
    key: 'logFormat',
    env: 'KAKEHASHI_LOG_FORMAT',
    schema: z.enum(['auto', 'json', 'pretty']),
    default: 'auto',
    description: 'Log format: JSON lines, readable lines, or `auto` (readable on a terminal).',
  },
  {
    key: 'adminToken',
    env: 'KAKEHASHI_ADMIN_TOKEN',
    schema: z.string().min(8),
    default: 'kakehashi-admin-test-only',
    description: 'Bearer token for `/admin/*` on every component. The default is a published test-only value.',
    secret: true,
  },
  {
    key: 'maxBodyBytes',
    env: 'KAKEHASHI_MAX_BODY_BYTES',
    schema: positive,
    default: 1024 * 1024,
    description: 'Largest accepted request body, in bytes; larger bodies get `payload-too-large`.',
    runtime: true,
  },
  {
    key: 'xmlMaxBytes',
    env: 'KAKEHASHI_XML_MAX_BYTES',
    schema: positive,
    default: 1024 * 1024,
    description: 'Largest XML document parsed, in bytes.',
    runtime: true,
  },
  {
    key: 'xmlMaxDepth',
    env: 'KAKEHASHI_XML_MAX_DEPTH',
    schema: positive,
    default: 64,
    description: 'Deepest element nesting accepted in XML.',
    runtime: true,
  },
  {
    key: 'clockSkewSeconds',
    env: 'KAKEHASHI_CLOCK_SKEW_SECONDS',
    schema: z.coerce.number().int().min(0).max(3600),
    default: 60,
    description: 'Tolerated clock skew for time checks (tokens, metadata, assertions).',
    runtime: true,
  },
  {
    key: 'faults',
    env: 'KAKEHASHI_FAULTS',
    flag: '--faults',
    schema: commaList(),
    default: [] as string[],
    description:
      'Faults switched on at start (comma-separated; `GET /admin/faults` lists them): a name, a pattern (`id-token.*`, `lenient.*`), either alone (every component that offers it) or after `hub:` or a country code (`DE:lenient.*`: node DE validates leniently, the weak node mode). TEST ONLY: every fault is a deliberate weakness.',
  },
  {
    key: 'clockStart',
    env: 'KAKEHASHI_CLOCK_START',
    schema: z.string().datetime().or(z.literal('')),
    default: '',
    description: 'If set, the virtual clock starts frozen at this ISO 8601 instant (reproducible runs).',
  },
] as const satisfies readonly OptionSpec[];

export type CoreOptions = typeof CORE_OPTIONS;
