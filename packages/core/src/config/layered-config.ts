import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { KakehashiError } from '../errors/index.ts';

/** Where an effective option value came from, lowest precedence first. */
export type ConfigSource = 'default' | 'file' | 'env' | 'cli' | 'runtime';
const PRECEDENCE: ConfigSource[] = ['default', 'file', 'env', 'cli', 'runtime'];

/** The definition of one option: the README's configuration table is generated from these. */
export interface OptionSpec<T = unknown> {
  /** Key in the config file and in the admin API, e.g. `seed`. */
  key: string;
  /** Environment variable, e.g. `KAKEHASHI_SEED`. */
  env: string;
  /** Command-line flag, when there is one, e.g. `--seed`. */
  flag?: string;
  /** Parses and validates a value (environment values arrive as strings: use coercing schemas). */
  schema: z.ZodType<T>;
  default: T;
  /** What the option does. */
  description: string;
  /** Changeable at runtime through `PATCH /admin/config`. */
  runtime?: boolean;
  /** Never shown: `GET /admin/config` prints `[redacted]`. */
  secret?: boolean;
}

export interface EffectiveOption {
  key: string;
  value: unknown;
  source: ConfigSource;
  env: string;
  flag?: string;
  runtime: boolean;
  description: string;
  default: unknown;
}

export interface LayeredConfigInput {
  /** Parsed config file contents, or a path to a JSON config file. */
  file?: Record<string, unknown> | string | undefined;
  env?: Record<string, string | undefined>;
  cli?: Record<string, unknown>;
}

/** The values of a list of options, by key. */
export type OptionValues<S extends readonly OptionSpec[]> = { [K in S[number] as K['key']]: z.output<K['schema']> };
type Values<S extends readonly OptionSpec[]> = OptionValues<S>;

/**
 * What a component reads of the configuration: a view of the options it declares. A `LayeredConfig` of more
 * options (the federation's union) is a view of any subset, so each package types only the options it owns.
 */
export interface ConfigView<S extends readonly OptionSpec[]> {
  get<K extends keyof OptionValues<S> & string>(key: K): OptionValues<S>[K];
  effective(): EffectiveOption[];
  setRuntime(values: Record<string, unknown>): void;
  clearRuntime(): void;
  onChange(listener: (key: string, value: unknown) => void): () => void;
}

/**
 * Layered configuration: defaults < config file < environment < command-line flags < runtime admin API.
 * Every layer is validated with the option's schema; unknown keys in the file are refused so that typos
 * do not pass silently.
 */
export class LayeredConfig<S extends readonly OptionSpec[]> implements ConfigView<S> {
  readonly specs: S;
  readonly #layers: Record<ConfigSource, Map<string, unknown>>;
  readonly #listeners = new Set<(key: string, value: unknown) => void>();

  constructor(specs: S, input: LayeredConfigInput = {}) {
    this.specs = specs;
    this.#layers = { default: new Map(), file: new Map(), env: new Map(), cli: new Map(), runtime: new Map() };
    for (const s of specs) this.#layers.default.set(s.key, s.default);
    const file = typeof input.file === 'string' ? readConfigFile(input.file) : input.file;
    for (const [k, v] of Object.entries(file ?? {}))
      this.#layers.file.set(k, this.#parse(this.#spec(k), v, 'config file'));
    for (const s of specs) {
      const raw = input.env?.[s.env];
      if (raw !== undefined && raw !== '')
        this.#layers.env.set(s.key, this.#parse(s, raw, `environment variable ${s.env}`));
    }
    for (const [k, v] of Object.entries(input.cli ?? {})) {
      if (v !== undefined) this.#layers.cli.set(k, this.#parse(this.#spec(k), v, `flag ${this.#spec(k).flag ?? k}`));
    }
  }

  get<K extends keyof Values<S> & string>(key: K): Values<S>[K] {
    for (let i = PRECEDENCE.length - 1; i >= 0; i--) {
      const layer = this.#layers[PRECEDENCE[i] as ConfigSource];
      if (layer.has(key)) return layer.get(key) as Values<S>[K];
    }
    throw new KakehashiError('config-unknown-option', `No configuration option "${key}".`);
  }

  /** All effective values (secrets redacted), with their sources. */
  effective(): EffectiveOption[] {
    return this.specs.map((s) => {
      const source = [...PRECEDENCE].reverse().find((l) => this.#layers[l].has(s.key)) ?? 'default';
      const opt: EffectiveOption = {
        key: s.key,
        value: s.secret ? '[redacted]' : this.get(s.key as never),
        source,
        env: s.env,
        runtime: s.runtime === true,
        description: s.description,
        default: s.secret ? '[redacted]' : s.default,
      };
      if (s.flag) opt.flag = s.flag;
      return opt;
    });
  }

  /** Sets runtime values (the admin API layer). All-or-nothing: one bad value changes nothing. */
  setRuntime(values: Record<string, unknown>): void {
    const parsed = new Map<string, unknown>();
    for (const [k, v] of Object.entries(values)) {
      const spec = this.#spec(k);
      if (!spec.runtime) {
        throw new KakehashiError(
          'config-not-runtime',
          `Option "${k}" cannot be changed at runtime; set ${spec.env} or the config file and restart.`,
        );
      }
      parsed.set(k, this.#parse(spec, v, 'admin API'));
    }
    for (const [k, v] of parsed) {
      this.#layers.runtime.set(k, v);
      for (const l of this.#listeners) l(k, v);
    }
  }

  /** Drops every runtime override (used by `POST /admin/reset`). */
  clearRuntime(): void {
    const keys = [...this.#layers.runtime.keys()];
    this.#layers.runtime.clear();
    for (const k of keys) for (const l of this.#listeners) l(k, this.get(k as never));
  }

  onChange(listener: (key: string, value: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #spec(key: string): OptionSpec {
    const s = this.specs.find((x) => x.key === key);
    if (!s) {
      throw new KakehashiError(
        'config-unknown-option',
        `No configuration option "${key}". Known options: ${this.specs.map((x) => x.key).join(', ')}.`,
      );
    }
    return s;
  }

  #parse(spec: OptionSpec, value: unknown, where: string): unknown {
    const r = spec.schema.safeParse(value);
    if (!r.success) {
      const why = r.error.issues.map((i) => i.message).join('; ');
      throw new KakehashiError('config-invalid', `Invalid value for "${spec.key}" from the ${where}: ${why}.`, {
        extra: { option: spec.key },
      });
    }
    return r.data;
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new KakehashiError('config-invalid', `Cannot read the config file ${path}.`, { cause });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (cause) {
    throw new KakehashiError('config-invalid', `The config file ${path} is not a JSON object.`, { cause });
  }
}

/** Renders the options as the Markdown table the README carries. */
export function renderOptionsTable(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const how = [`\`${s.env}\``, s.flag ? `\`${s.flag}\`` : '', `config \`${s.key}\``, s.runtime ? 'admin API' : '']
      .filter(Boolean)
      .join(', ');
    const def = s.secret ? '(test-only value, see below)' : `\`${JSON.stringify(s.default)}\``;
    return `| \`${s.key}\` | ${def} | ${how} | ${s.description} |`;
  });
  return ['| option | default | how to set | effect |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
