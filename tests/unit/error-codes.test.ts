import { type ErrorCode, KakehashiError, problemType, registeredErrorCodes } from '@kakehashi/core';
// Importing the federation imports every package, and so registers every package's codes.
import '@kakehashi/federation';
import { describe, expect, it } from 'vitest';

const CODES = registeredErrorCodes();

describe('the error codes of every package', () => {
  it('are many, each registered once, under its owner', () => {
    expect(CODES.length).toBeGreaterThan(140);
    expect(new Set(CODES.map((c) => c.code)).size).toBe(CODES.length);
  });

  it.each(CODES.map((c) => [c.code, c.owner, c] as const))(
    '%s (%s) is a stable, documented code',
    (code, _owner, c) => {
      expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Number.isInteger(c.status)).toBe(true);
      expect(c.status).toBeGreaterThanOrEqual(400);
      expect(c.status).toBeLessThan(600);
      expect(c.title.trim().length).toBeGreaterThan(0);
      const problem = new KakehashiError(code as ErrorCode, 'What happened, and what to do.').toProblem();
      expect(problem).toMatchObject({ type: problemType(code as ErrorCode), status: c.status, title: c.title, code });
    },
  );
});
