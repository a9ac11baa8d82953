import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isKakehashiError, KakehashiError, openStore } from '../src/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-store-integrity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A file store with a table of a few hundred rows, closed (checkpointed into the main file). */
function storeWithData(name: string): string {
  const s = openStore({ name, dataDir: tmp });
  s.migrate([{ id: 't/001', up: 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)' }]);
  s.transaction(() => {
    for (let i = 0; i < 400; i++) s.run('INSERT INTO things (name) VALUES (?)', `thing ${i} ${'x'.repeat(40)}`);
  });
  const location = s.location;
  s.close();
  return location;
}

/**
 * Corrupts the file *inside*: the header and the schema page stay intact (the file opens as a database and
 * start-up used to succeed), the b-tree pages after them are overwritten with garbage.
 */
function corruptInside(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    const header = Buffer.alloc(100);
    readSync(fd, header, 0, 100, 0);
    const pageSize = header.readUInt16BE(16) === 1 ? 65_536 : header.readUInt16BE(16);
    const pages = Math.floor(statSync(file).size / pageSize);
    expect(pages).toBeGreaterThan(3);
    for (let p = 2; p < pages; p++) writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, p * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe('openStore checks the integrity of a file store at start', () => {
  it('a healthy file store opens (and keeps its data)', () => {
    const file = storeWithData('healthy');
    const s = openStore({ name: 'healthy', dataDir: tmp });
    try {
      expect(s.get<{ n: number }>('SELECT count(*) AS n FROM things')?.n).toBe(400);
    } finally {
      s.close();
    }
    expect(file).toBe(join(tmp, 'healthy.sqlite'));
  });

  it('a store corrupted inside the file fails start-up with store-corrupt, naming the file and the fix', () => {
    const file = storeWithData('broken');
    corruptInside(file);
    let error: unknown;
    try {
      openStore({ name: 'broken', dataDir: tmp }).close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KakehashiError);
    expect(isKakehashiError(error, 'store-corrupt')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('quick_check');
    expect(message).toMatch(/move .* aside|restore it from a backup/);
  });
});
