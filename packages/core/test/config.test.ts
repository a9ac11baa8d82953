import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CORE_OPTIONS,
  isKakehashiError,
  type KakehashiError,
  LayeredConfig,
  type OptionSpec,
  renderOptionsTable,
} from '../src/index.ts';

const SPECS = [
  { key: 'name', env: 'T_NAME', flag: '--name', schema: z.string().min(1), default: 'dflt', description: 'A name.' },
  {
    key: 'size',
    env: 'T_SIZE',
    schema: z.coerce.number().int().positive(),
    default: 10,
    description: 'A size.',
    runtime: true,
  },
  { key: 'mode', env: 'T_MODE', schema: z.enum(['a', 'b']), default: 'a', description: 'A mode.', runtime: true },
  { key: 'password', env: 'T_PASSWORD', schema: z.string(), default: 'pw-default', description: 'S.', secret: true },
] as const satisfies readonly OptionSpec[];

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeJson(name: string, content: string): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

function catchError(fn: () => unknown): KakehashiError {
  try {
    fn();
  } catch (e) {
    if (isKakehashiError(e)) return e;
    throw new Error(`expected a KakehashiError, got ${String(e)}`);
  }
  throw new Error('expected a KakehashiError, nothing was thrown');
}

describe('LayeredConfig precedence: default < file < env < cli < runtime', () => {
  it('uses the defaults when nothing is given', () => {
    const c = new LayeredConfig(CORE_OPTIONS);
    expect(c.get('port')).toBe(7000);
    expect(c.get('seed')).toBe('kakehashi-demo');
    expect(c.get('countries')).toEqual(['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP']);
    expect(c.effective().every((o) => o.source === 'default')).toBe(true);
  });

  it('each layer overrides the ones below it (CORE_OPTIONS)', () => {
    const sourceOf = (c: LayeredConfig<typeof CORE_OPTIONS>, key: string) =>
      c.effective().find((o) => o.key === key)?.source;

    const file = { port: 7100, logLevel: 'warn', seed: 'from-file', xmlMaxDepth: 10 };
    const env = { KAKEHASHI_PORT: '7200', KAKEHASHI_LOG_LEVEL: 'error', KAKEHASHI_XML_MAX_DEPTH: '20' };
    const cli = { port: 7300, xmlMaxDepth: 30 };
    const c = new LayeredConfig(CORE_OPTIONS, { file, env, cli });

    expect(c.get('host')).toBe('127.0.0.1');
    expect(sourceOf(c, 'host')).toBe('default');
    expect(c.get('seed')).toBe('from-file');
    expect(sourceOf(c, 'seed')).toBe('file');
    expect(c.get('logLevel')).toBe('error');
    expect(sourceOf(c, 'logLevel')).toBe('env');
    expect(c.get('port')).toBe(7300);
    expect(sourceOf(c, 'port')).toBe('cli');

    c.setRuntime({ xmlMaxDepth: 40 });
    expect(c.get('xmlMaxDepth')).toBe(40);
    expect(sourceOf(c, 'xmlMaxDepth')).toBe('runtime');

    c.clearRuntime();
    expect(c.get('xmlMaxDepth')).toBe(30);
    expect(sourceOf(c, 'xmlMaxDepth')).toBe('cli');
  });

  it('coerces environment strings with the option schema', () => {
    const c = new LayeredConfig(CORE_OPTIONS, {
      env: { KAKEHASHI_PORT: '8080', KAKEHASHI_COUNTRIES: ' de, jp ,,fr ' },
    });
    expect(c.get('port')).toBe(8080);
    expect(c.get('countries')).toEqual(['DE', 'JP', 'FR']);
  });

  it('ignores empty and unset environment values, and unrelated variables', () => {
    const c = new LayeredConfig(SPECS, { env: { T_NAME: '', T_SIZE: undefined, PATH: '/bin', T_OTHER: 'x' } });
    expect(c.get('name')).toBe('dflt');
    expect(c.get('size')).toBe(10);
  });

  it('ignores undefined cli values', () => {
    const c = new LayeredConfig(SPECS, { env: { T_NAME: 'env' }, cli: { name: undefined } });
    expect(c.get('name')).toBe('env');
  });
});

describe('LayeredConfig file layer', () => {
  it('reads a JSON file given as a path', () => {
    const path = writeJson('ok.json', JSON.stringify({ name: 'from-path', size: 3 }));
    const c = new LayeredConfig(SPECS, { file: path });
    expect(c.get('name')).toBe('from-path');
    expect(c.get('size')).toBe(3);
    expect(c.effective().find((o) => o.key === 'name')?.source).toBe('file');
  });

  it('takes the file contents as an object', () => {
    const c = new LayeredConfig(SPECS, { file: { name: 'from-object' } });
    expect(c.get('name')).toBe('from-object');
  });

  it('refuses an unknown key in the file with config-unknown-option naming it', () => {
    const e = catchError(() => new LayeredConfig(SPECS, { file: { nmae: 'typo' } }));
    expect(e.code).toBe('config-unknown-option');
    expect(e.message).toContain('"nmae"');
    const path = writeJson('unknown.json', JSON.stringify({ prot: 1 }));
    expect(catchError(() => new LayeredConfig(CORE_OPTIONS, { file: path })).code).toBe('config-unknown-option');
  });

  it('refuses an unknown cli key', () => {
    expect(catchError(() => new LayeredConfig(SPECS, { cli: { nope: 1 } })).code).toBe('config-unknown-option');
  });

  it('refuses an invalid value in the file, naming the option and the layer', () => {
    const e = catchError(() => new LayeredConfig(SPECS, { file: { size: -1 } }));
    expect(e.code).toBe('config-invalid');
    expect(e.message).toContain('"size"');
    expect(e.message).toContain('config file');
    expect(e.extra.option).toBe('size');
  });

  it('refuses a missing file, a file that is not JSON, and JSON that is not an object', () => {
    expect(catchError(() => new LayeredConfig(SPECS, { file: join(tmp, 'missing.json') })).code).toBe('config-invalid');
    for (const [name, text] of [
      ['broken.json', '{ "name": '],
      ['array.json', '["name"]'],
      ['null.json', 'null'],
      ['number.json', '42'],
    ] as const) {
      const e = catchError(() => new LayeredConfig(SPECS, { file: writeJson(name, text) }));
      expect(e.code, name).toBe('config-invalid');
      expect(e.message).toContain(name);
    }
  });
});

describe('LayeredConfig validation', () => {
  it('names the environment variable of an invalid env value', () => {
    const e = catchError(() => new LayeredConfig(CORE_OPTIONS, { env: { KAKEHASHI_PORT: 'seventy' } }));
    expect(e.code).toBe('config-invalid');
    expect(e.message).toContain('KAKEHASHI_PORT');
    expect(e.message).toContain('"port"');
    expect(catchError(() => new LayeredConfig(CORE_OPTIONS, { env: { KAKEHASHI_PORT: '70000' } })).code).toBe(
      'config-invalid',
    );
    const lvl = catchError(() => new LayeredConfig(CORE_OPTIONS, { env: { KAKEHASHI_LOG_LEVEL: 'loud' } }));
    expect(lvl.message).toContain('KAKEHASHI_LOG_LEVEL');
  });

  it('names the flag of an invalid cli value', () => {
    const e = catchError(() => new LayeredConfig(SPECS, { cli: { name: '' } }));
    expect(e.code).toBe('config-invalid');
    expect(e.message).toContain('--name');
  });

  it('get of an unknown key is config-unknown-option', () => {
    const c = new LayeredConfig(SPECS);
    expect(catchError(() => c.get('nope' as never)).code).toBe('config-unknown-option');
  });
});

describe('LayeredConfig runtime layer', () => {
  it('setRuntime changes runtime options and notifies listeners', () => {
    const c = new LayeredConfig(SPECS);
    const seen: [string, unknown][] = [];
    const off = c.onChange((k, v) => seen.push([k, v]));
    c.setRuntime({ size: '42', mode: 'b' });
    expect(c.get('size')).toBe(42);
    expect(c.get('mode')).toBe('b');
    expect(seen).toEqual([
      ['size', 42],
      ['mode', 'b'],
    ]);
    off();
    c.setRuntime({ size: 1 });
    expect(seen).toHaveLength(2);
  });

  it('refuses a non-runtime option with config-not-runtime naming its env var', () => {
    const c = new LayeredConfig(CORE_OPTIONS);
    const e = catchError(() => c.setRuntime({ port: 9000 }));
    expect(e.code).toBe('config-not-runtime');
    expect(e.status).toBe(409);
    expect(e.message).toContain('KAKEHASHI_PORT');
    expect(c.get('port')).toBe(7000);
    expect(catchError(() => c.setRuntime({ adminToken: 'something-else' })).code).toBe('config-not-runtime');
    expect(catchError(() => c.setRuntime({ nope: 1 })).code).toBe('config-unknown-option');
  });

  it('is all-or-nothing: one bad value changes nothing and notifies nobody', () => {
    const c = new LayeredConfig(SPECS);
    let calls = 0;
    c.onChange(() => calls++);
    expect(catchError(() => c.setRuntime({ size: 5, mode: 'zzz' })).code).toBe('config-invalid');
    expect(catchError(() => c.setRuntime({ size: 5, name: 'not-runtime' })).code).toBe('config-not-runtime');
    expect(catchError(() => c.setRuntime({ mode: 'b', unknown: 1 })).code).toBe('config-unknown-option');
    expect(c.get('size')).toBe(10);
    expect(c.get('mode')).toBe('a');
    expect(calls).toBe(0);
    expect(c.effective().every((o) => o.source === 'default')).toBe(true);
  });

  it('names the admin API as the layer of an invalid runtime value', () => {
    const c = new LayeredConfig(SPECS);
    expect(catchError(() => c.setRuntime({ size: 0 })).message).toContain('admin API');
  });

  it('clearRuntime drops every runtime override and reports the restored values', () => {
    const c = new LayeredConfig(SPECS, { env: { T_SIZE: '7' } });
    c.setRuntime({ size: 99, mode: 'b' });
    const seen: [string, unknown][] = [];
    c.onChange((k, v) => seen.push([k, v]));
    c.clearRuntime();
    expect(c.get('size')).toBe(7);
    expect(c.get('mode')).toBe('a');
    expect(seen).toEqual(
      expect.arrayContaining([
        ['size', 7],
        ['mode', 'a'],
      ]),
    );
    expect(seen).toHaveLength(2);
  });
});

describe('LayeredConfig.effective', () => {
  it('lists every option with value, source, env, flag, runtime, description and default', () => {
    const c = new LayeredConfig(SPECS, { env: { T_SIZE: '5' } });
    const eff = c.effective();
    expect(eff.map((o) => o.key)).toEqual(['name', 'size', 'mode', 'password']);
    expect(eff[0]).toEqual({
      key: 'name',
      value: 'dflt',
      source: 'default',
      env: 'T_NAME',
      flag: '--name',
      runtime: false,
      description: 'A name.',
      default: 'dflt',
    });
    expect(eff[1]).toMatchObject({ key: 'size', value: 5, source: 'env', runtime: true, default: 10 });
    expect(eff[1]).not.toHaveProperty('flag');
  });

  it('redacts secrets (value and default) whatever layer they come from', () => {
    const c = new LayeredConfig(CORE_OPTIONS, { env: { KAKEHASHI_ADMIN_TOKEN: 'a-real-looking-token' } });
    expect(c.get('adminToken')).toBe('a-real-looking-token');
    const admin = c.effective().find((o) => o.key === 'adminToken');
    expect(admin).toMatchObject({ value: '[redacted]', default: '[redacted]', source: 'env' });
    const text = JSON.stringify(c.effective());
    expect(text).not.toContain('a-real-looking-token');
    expect(text).not.toContain('kakehashi-admin-test-only');

    const custom = JSON.stringify(new LayeredConfig(SPECS, { file: { password: 'hunter2' } }).effective());
    expect(custom).not.toContain('hunter2');
    expect(custom).not.toContain('pw-default');
  });
});

describe('renderOptionsTable', () => {
  it('has a header and one row per option with its key, env var, flag and runtime marker', () => {
    const table = renderOptionsTable(CORE_OPTIONS);
    const lines = table.split('\n');
    expect(lines[0]).toBe('| option | default | how to set | effect |');
    expect(lines).toHaveLength(CORE_OPTIONS.length + 2);
    for (const spec of CORE_OPTIONS as readonly OptionSpec[]) {
      const row = lines.find((l) => l.startsWith(`| \`${spec.key}\` |`));
      expect(row, spec.key).toBeDefined();
      expect(row).toContain(`\`${spec.env}\``);
      if (spec.flag) expect(row).toContain(`\`${spec.flag}\``);
      expect(row!.includes('admin API')).toBe(spec.runtime === true);
    }
  });

  it('never prints a secret default', () => {
    const table = renderOptionsTable(SPECS);
    expect(table).not.toContain('pw-default');
    expect(renderOptionsTable(CORE_OPTIONS)).not.toContain('kakehashi-admin-test-only');
    expect(table).toContain('`10`');
  });
});
