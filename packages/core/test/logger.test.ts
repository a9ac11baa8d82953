import { describe, expect, it } from 'vitest';
import { createLogger, createMemoryLogger, type LogLevel, redact } from '../src/index.ts';

const FIXED = new Date('2027-03-04T05:06:07.089Z');

function capture(level?: LogLevel, format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const logger = createLogger({ ...(level ? { level } : {}), format, write: (l) => lines.push(l), now: () => FIXED });
  return { logger, lines };
}

describe('createLogger (JSON lines)', () => {
  it('writes one JSON object per line with time, level, msg and fields', () => {
    const { logger, lines } = capture();
    logger.info('node registered', { country: 'JP', count: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2027-03-04T05:06:07.089Z',
      level: 'info',
      msg: 'node registered',
      country: 'JP',
      count: 3,
    });
  });

  it('child loggers add their fields to every line, and nest', () => {
    const { logger, lines } = capture();
    const hub = logger.child({ component: 'hub' });
    hub.warn('a');
    hub.child({ country: 'DE' }).error('b', { extra: 1 });
    logger.info('c');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: FIXED.toISOString(), level: 'warn', msg: 'a', component: 'hub' },
      { time: FIXED.toISOString(), level: 'error', msg: 'b', component: 'hub', country: 'DE', extra: 1 },
      { time: FIXED.toISOString(), level: 'info', msg: 'c' },
    ]);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('level %s writes only %j', (level, expected) => {
    const { logger, lines } = capture(level);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(expected);
  });

  it('defaults to level info', () => {
    const { logger, lines } = capture();
    logger.debug('hidden');
    logger.info('shown');
    expect(lines).toHaveLength(1);
  });

  it('a child keeps its parent level', () => {
    const { logger, lines } = capture('warn');
    logger.child({ component: 'x' }).info('hidden');
    expect(lines).toHaveLength(0);
  });
});

describe('redaction', () => {
  it.each([
    'token',
    'accessToken',
    'id_token',
    'secret',
    'clientSecret',
    'password',
    'privateKey',
    'authorization',
    'Authorization',
    'cookie',
    'key',
    'apiKey',
    'pin',
  ])('redacts a field named %s', (name) => {
    const { logger, lines } = capture();
    logger.info('m', { [name]: 'SENSITIVE-VALUE' });
    expect(lines[0]).not.toContain('SENSITIVE-VALUE');
    expect(JSON.parse(lines[0]!)[name]).toBe('[redacted]');
  });

  it('redacts nested fields, inside arrays, and fields given to child()', () => {
    const { logger, lines } = capture();
    logger.child({ auth: { token: 'CHILD-TOKEN' } }).info('m', {
      request: { headers: { authorization: 'Bearer ABC.DEF.GHI', accept: 'json' } },
      users: [
        { name: 'a', password: 'PW1' },
        { name: 'b', credentials: { privateKey: 'PK' } },
      ],
    });
    const text = lines[0]!;
    for (const s of ['CHILD-TOKEN', 'ABC.DEF.GHI', 'PW1', 'PK']) expect(text).not.toContain(s);
    const rec = JSON.parse(text);
    expect(rec.request.headers).toEqual({ authorization: '[redacted]', accept: 'json' });
    expect(rec.users[0]).toEqual({ name: 'a', password: '[redacted]' });
    expect(rec.users[1].credentials.privateKey).toBe('[redacted]');
    expect(rec.auth.token).toBe('[redacted]');
  });

  it('redacts whole objects under a secret name', () => {
    expect(redact({ secret: { a: 1 } })).toEqual({ secret: '[redacted]' });
  });

  it('keeps harmless fields untouched', () => {
    const v = { country: 'JP', count: 2, ok: true, nothing: null, list: [1, 'two'] };
    expect(redact(v)).toEqual(v);
  });

  it('never writes a secret however deep it is nested', () => {
    let deep: Record<string, unknown> = { token: 'DEEP-SECRET' };
    for (let i = 0; i < 20; i++) deep = { level: deep };
    const { logger, lines } = capture();
    logger.info('m', { deep });
    expect(lines[0]).not.toContain('DEEP-SECRET');
    expect(lines[0]).toContain('"[truncated]"');
    // Within the bound, nesting is kept as it is.
    expect(redact({ a: { b: { c: { d: { e: { f: 'kept' } } } } } })).toEqual({
      a: { b: { c: { d: { e: { f: 'kept' } } } } },
    });
  });

  it('survives circular structures', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const { logger, lines } = capture();
    expect(() => logger.info('m', { a })).not.toThrow();
    const rec = JSON.parse(lines[0]!);
    expect(rec.a.name).toBe('a');
    expect(rec.a.self.self.name).toBe('a');
    expect(lines[0]).toContain('"[truncated]"');
  });

  it('reduces Error values to name and message (no stack, no cause, no own properties)', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new TypeError('bad input', { cause: new Error('inner SECRET') }), { token: 'T' });
    logger.error('failed', { err, nested: { e: new RangeError('r') } });
    const rec = JSON.parse(lines[0]!);
    expect(rec.err).toEqual({ name: 'TypeError', message: 'bad input' });
    expect(rec.nested.e).toEqual({ name: 'RangeError', message: 'r' });
    expect(lines[0]).not.toContain('SECRET');
    expect(lines[0]).not.toContain('at ');
  });

  it('writes dates as ISO strings', () => {
    const { logger, lines } = capture();
    logger.info('m', { at: FIXED, nested: { at: FIXED } });
    const rec = JSON.parse(lines[0]!);
    expect(rec.at).toBe(FIXED.toISOString());
    expect(rec.nested.at).toBe(FIXED.toISOString());
  });
});

describe('pretty format', () => {
  it('writes a readable line with time, level, who, message and the other fields (redacted)', () => {
    const { logger, lines } = capture('debug', 'pretty');
    logger.child({ component: 'node', country: 'JP' }).warn('hello', { token: 'XYZ', n: 1 });
    expect(lines[0]).toBe('05:06:07.089 WARN  [node:JP] hello {"token":"[redacted]","n":1}');
  });

  it('omits who and fields when there are none', () => {
    const { logger, lines } = capture('debug', 'pretty');
    logger.info('plain');
    expect(lines[0]).toBe('05:06:07.089 INFO  plain');
  });
});

describe('createMemoryLogger', () => {
  it('keeps parsed lines, at level debug by default', () => {
    const log = createMemoryLogger();
    log.debug('d', { a: 1 });
    log.child({ component: 'hub' }).info('i', { password: 'x' });
    expect(log.lines).toHaveLength(2);
    expect(log.lines[0]).toMatchObject({ level: 'debug', msg: 'd', a: 1 });
    expect(log.lines[1]).toMatchObject({ level: 'info', msg: 'i', component: 'hub', password: '[redacted]' });
    expect(typeof log.lines[0]!.time).toBe('string');
  });

  it('honours a given level', () => {
    const log = createMemoryLogger('error');
    log.warn('w');
    log.error('e');
    expect(log.lines.map((l) => l.msg)).toEqual(['e']);
  });
});

describe('reserved fields', () => {
  it('a caller field named time, level or msg cannot overwrite the record', async () => {
    const { createMemoryLogger } = await import('../src/index.ts');
    const log = createMemoryLogger('debug');
    log.info('real message', { time: 'forged', level: 'error', msg: 'forged' });
    expect(log.lines[0]).toMatchObject({ level: 'info', msg: 'real message' });
    expect(log.lines[0]?.time).not.toBe('forged');
  });
});

describe('runtime level', () => {
  it('a level function is read on every line, so a configuration change applies at once', async () => {
    const { createLogger } = await import('../src/index.ts');
    let level: 'info' | 'debug' = 'info';
    const lines: string[] = [];
    const log = createLogger({ level: () => level, format: 'json', write: (l) => lines.push(l) }).child({
      component: 'x',
    });
    log.debug('hidden');
    level = 'debug';
    log.debug('shown');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
  });
});
