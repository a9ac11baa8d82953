/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` (e.g. `{ component: 'hub' }`) to every line. */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Minimum level, or a function read on every line (so a runtime configuration change applies at once). */
  level?: LogLevel | (() => LogLevel);
  /** `json`: one JSON object per line; `pretty`: readable; `auto` (default): pretty on a terminal. */
  format?: 'json' | 'pretty' | 'auto';
  /** Where lines go (default: stderr, so that stdout stays free for `--json` events). */
  write?: (line: string) => void;
  /** Time source (the virtual clock); default real time. */
  now?: () => Date;
}

/** Field names whose values are never written to a log, whatever the caller passes. */
const SECRET_FIELD = /(secret|password|passwd|private|token|authorization|cookie|key$|^key|pin)/i;

/** Replaces secret-looking fields by "[redacted]", recursively (bounded depth). */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Deeper objects are not walked, so they could hide a secret or a cycle: drop them rather than write them.
  if (depth > 6) return '[truncated]';
  if (value instanceof Date) return value; // JSON.stringify writes the ISO string (Object.entries would give {})
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/**
 * Structured logging: JSON lines by default, readable lines on a terminal. Secret-looking fields are
 * redacted before anything is written.
 */
export function createLogger(options: LoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  const minLevel = options.level ?? 'info';
  const min = typeof minLevel === 'function' ? () => LEVELS[minLevel()] : () => LEVELS[minLevel];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pretty =
    options.format === 'pretty' || ((options.format ?? 'auto') === 'auto' && process.stderr.isTTY === true);
  const now = options.now ?? (() => new Date());

  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min()) return;
    // The record's own fields come last: a caller's field named time, level or msg cannot overwrite them.
    const rec = {
      ...(redact({ ...base, ...fields }) as Record<string, unknown>),
      time: now().toISOString(),
      level,
      msg,
    };
    if (!pretty) {
      write(JSON.stringify(rec));
      return;
    }
    const { time, level: l, msg: m, component, country, ...rest } = rec as Record<string, unknown>;
    const who = [component, country].filter(Boolean).join(':');
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    write(`${String(time).slice(11, 23)} ${String(l).toUpperCase().padEnd(5)} ${who ? `[${who}] ` : ''}${m}${extra}`);
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** A logger that records lines in memory (for tests that assert on logs). */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    format: 'json',
    write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
  });
  return Object.assign(logger, { lines });
}
