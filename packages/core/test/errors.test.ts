import { describe, expect, it } from 'vitest';
import {
  CORE_ERROR_CODES,
  defineErrorCodes,
  type ErrorCode,
  errorCodeInfo,
  isErrorCode,
  isKakehashiError,
  KakehashiError,
  problemType,
  registeredErrorCodes,
  renderErrorCodesTable,
} from '../src/index.ts';

const ERROR_CODES = CORE_ERROR_CODES;
const CODES = Object.keys(ERROR_CODES) as (keyof typeof CORE_ERROR_CODES)[];

describe('the error code registry', () => {
  it("registers core's generic codes under the owner core", () => {
    for (const code of CODES) expect(registeredErrorCodes().find((c) => c.code === code)?.owner).toBe('core');
    expect(isErrorCode('not-found')).toBe(true);
    expect(isErrorCode('no-such-code')).toBe(false);
  });
  it('refuses a code declared by a second owner, and a code that is not kebab-case', () => {
    expect(() => defineErrorCodes('test-owner', { 'not-found': { status: 404, title: 'again' } })).toThrow(
      /declared by both core and test-owner/,
    );
    expect(() => defineErrorCodes('test-owner', { Bad_Code: { status: 400, title: 'x' } })).toThrow(/kebab-case/);
  });
  it('gives a package its own codes, with status and title in problem documents', () => {
    defineErrorCodes('test-owner', { 'test-owner-thing-failed': { status: 422, title: 'The thing failed' } });
    const e = new KakehashiError('test-owner-thing-failed' as ErrorCode, 'It failed.');
    expect(e.status).toBe(422);
    expect(e.toProblem().title).toBe('The thing failed');
    expect(errorCodeInfo('test-owner-thing-failed')?.status).toBe(422);
    expect(renderErrorCodesTable()).toMatch(/\| test-owner \| `test-owner-thing-failed` \(422\) \|/);
  });
  it('maps an unregistered code to 500 rather than crashing', () => {
    const e = new KakehashiError('never-registered' as ErrorCode, 'x');
    expect(e.status).toBe(500);
    expect(e.toProblem().title).toBe('Unregistered error code');
  });
});

describe('CORE_ERROR_CODES', () => {
  it('is a non-trivial catalogue of kebab-case codes', () => {
    expect(CODES.length).toBeGreaterThan(20);
    for (const code of CODES) expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it.each(CODES)('%s maps to a 4xx/5xx status and a title', (code) => {
    const { status, title } = ERROR_CODES[code];
    expect(Number.isInteger(status)).toBe(true);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
    expect(title.trim().length).toBeGreaterThan(0);
    expect(new KakehashiError(code, 'x').status).toBe(status);
  });

  it('maps the boundary codes to their HTTP statuses', () => {
    expect(ERROR_CODES['not-found'].status).toBe(404);
    expect(ERROR_CODES['payload-too-large'].status).toBe(413);
    expect(ERROR_CODES['xml-too-large'].status).toBe(413);
    expect(ERROR_CODES['unsupported-media-type'].status).toBe(415);
    expect(ERROR_CODES.unauthorized.status).toBe(401);
    expect(ERROR_CODES['config-not-runtime'].status).toBe(409);
    expect(ERROR_CODES['internal-error'].status).toBe(500);
  });
});

describe('KakehashiError', () => {
  it('is an Error with name, code, message and status', () => {
    const e = new KakehashiError('registration-stale', 'The leaf expired on 2026-01-01.');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('KakehashiError');
    expect(e.code).toBe('registration-stale');
    expect(e.message).toBe('The leaf expired on 2026-01-01.');
    expect(e.status).toBe(422);
    expect(e.rule).toBeUndefined();
    expect(e.extra).toEqual({});
  });

  it('toProblem gives type urn:kakehashi:error:<code>, title, status, code, detail and rule', () => {
    const e = new KakehashiError('registration-cert-invalid', 'The certificate 0A1B is revoked.', {
      rule: 'RFC 5280 §6.1.3(a)(3)',
    });
    expect(e.toProblem()).toEqual({
      type: 'urn:kakehashi:error:registration-cert-invalid',
      title: ERROR_CODES['registration-cert-invalid'].title,
      status: 422,
      code: 'registration-cert-invalid',
      detail: 'The certificate 0A1B is revoked.',
      rule: 'RFC 5280 §6.1.3(a)(3)',
    });
    expect(problemType('not-found')).toBe('urn:kakehashi:error:not-found');
  });

  it('toProblem adds instance only when given, and omits rule when there is none', () => {
    const e = new KakehashiError('not-found', 'No such thing.');
    expect(e.toProblem()).not.toHaveProperty('instance');
    expect(e.toProblem()).not.toHaveProperty('rule');
    expect(e.toProblem('/things/1').instance).toBe('/things/1');
  });

  it('exposes extra members, but they cannot override the standard members', () => {
    const e = new KakehashiError('xml-too-large', 'Too big.', {
      extra: { limit: 10, size: 20, type: 'spoofed', status: 200, code: 'spoofed', detail: 'spoofed' },
    });
    const p = e.toProblem();
    expect(p.limit).toBe(10);
    expect(p.size).toBe(20);
    expect(p.type).toBe('urn:kakehashi:error:xml-too-large');
    expect(p.status).toBe(413);
    expect(p.code).toBe('xml-too-large');
    expect(p.detail).toBe('Too big.');
  });

  it('keeps the cause internal: it never appears in the problem document', () => {
    const cause = new Error('SQLITE_CONSTRAINT at /secret/path with password=hunter2');
    const e = new KakehashiError('internal-error', 'Something failed.', { cause });
    expect(e.cause).toBe(cause);
    const p = e.toProblem('/x');
    expect(p).not.toHaveProperty('cause');
    const text = JSON.stringify(p);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('SQLITE_CONSTRAINT');
  });

  it('has no own cause property when none is given', () => {
    expect(Object.hasOwn(new KakehashiError('conflict', 'c'), 'cause')).toBe(false);
  });

  it('isKakehashiError narrows, optionally by code', () => {
    const e = new KakehashiError('conflict', 'c');
    expect(isKakehashiError(e)).toBe(true);
    expect(isKakehashiError(e, 'conflict')).toBe(true);
    expect(isKakehashiError(e, 'not-found')).toBe(false);
    expect(isKakehashiError(new Error('conflict'))).toBe(false);
    expect(isKakehashiError({ code: 'conflict' })).toBe(false);
    expect(isKakehashiError(undefined)).toBe(false);
  });
});
