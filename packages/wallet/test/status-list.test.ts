import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@kakehashi/core';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { afterAll, describe, expect, it } from 'vitest';
import { createStatusRegistry, STATUS } from '../src/issuer/status-list.ts';

const dir = mkdtempSync(join(tmpdir(), 'kakehashi-wallet-status-'));

describe("the PID provider's status list", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a revocation across a restart of the node (its store), and forgets it on reset', () => {
    const first = openStore({ name: 'node', dataDir: dir });
    const a = createStatusRegistry(first);
    const idx = a.allocate();
    const other = a.allocate();
    expect(other).not.toBe(idx);
    a.set(idx, STATUS.invalid);
    first.close();

    const second = openStore({ name: 'node', dataDir: dir });
    const b = createStatusRegistry(second);
    expect(b.isAllocated(idx)).toBe(true);
    expect(b.status(idx)).toBe(STATUS.invalid);
    expect(b.list().getStatus(idx)).toBe(1);
    expect(b.list().getStatus(other)).toBe(0);
    // a new PID never gets an index already given out
    for (let i = 0; i < 50; i++) expect([idx, other]).not.toContain(b.allocate());
    b.reset();
    expect(b.isAllocated(idx)).toBe(false);
    second.close();
  });

  it('publishes 2 bits an entry, so a suspended PID reads 2', () => {
    const r = createStatusRegistry();
    const idx = r.allocate();
    r.set(idx, STATUS.suspended);
    const compressed = r.list().compressStatusList();
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ status_list: { bits: 2, lst: compressed } })).toString('base64url');
    expect(getListFromStatusListJWT(`${header}.${payload}.`).getStatus(idx)).toBe(2);
  });
});
