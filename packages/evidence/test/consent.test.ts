import { type KakehashiError, openStore, VirtualClock } from '@kakehashi/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { PreviewStore } from '../src/consent/preview-store.ts';
import { EVIDENCE_MIGRATIONS } from '../src/store/migrations.ts';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as KakehashiError).code;
  }
  return 'no error';
};

describe('preview and consent: the state machine is single-use and expires', () => {
  let clock: VirtualClock;
  let previews: PreviewStore;
  const create = (id: string) =>
    previews.create({
      id,
      request: {} as never,
      handle: 'jp-001',
      agencyId: 'setagaya-city',
      provider: 'urn:kakehashi:participant:jp:setagaya-city',
      requester: 'urn:kakehashi:participant:de:koeln-buergeramt',
      evidenceType: { classification: 'c', title: 't', titleLocal: 'l', kind: 'residence' },
      document: '<ev:Evidence/>',
      conversationId: 'evidence-x',
      traceId: 'a'.repeat(32),
      expiresAt: clock.nowMs() + 3_600_000,
    });

  beforeEach(() => {
    clock = new VirtualClock();
    clock.freeze(new Date('2026-11-23T10:00:00Z'));
    const store = openStore({ name: 'evidence-test' });
    store.migrate(EVIDENCE_MIGRATIONS);
    previews = new PreviewStore(store, clock);
  });

  it('approve once; a second decision is evidence-preview-decided; the approval answers exactly one request', () => {
    create('p1');
    expect(previews.decide('p1', 'approve', '<signed/>').status).toBe('approved');
    expect(codeOf(() => previews.decide('p1', 'refuse'))).toBe('evidence-preview-decided');
    expect(codeOf(() => previews.decide('p1', 'approve'))).toBe('evidence-preview-decided');
    expect(previews.consume('p1')?.status).toBe('approved');
    expect(previews.get('p1')?.status).toBe('used');
    expect(previews.consume('p1')?.status).toBe('used');
    expect(previews.get('p1')?.signedXml).toBe('<signed/>');
  });

  it('refuse is final, and so is a login by someone else', () => {
    create('p2');
    previews.decide('p2', 'refuse');
    expect(previews.consume('p2')?.status).toBe('refused');
    expect(previews.get('p2')?.status).toBe('refused');
    create('p3');
    previews.identityMismatch('p3');
    expect(codeOf(() => previews.decide('p3', 'approve'))).toBe('evidence-preview-decided');
    expect(previews.consume('p3')?.status).toBe('identity-mismatch');
  });

  it('the login state is single-use; the browser session is bound by its hash only', () => {
    create('p4');
    previews.startLogin('p4', 'state-1', 'nonce-1', 'verifier-1');
    const first = previews.takeLogin('state-1');
    expect(first).toMatchObject({ nonce: 'nonce-1', verifier: 'verifier-1' });
    expect(first?.row.id).toBe('p4');
    expect(previews.takeLogin('state-1')).toBeUndefined();
    expect(previews.takeLogin('forged')).toBeUndefined();
    previews.authenticate('p4', 'session-secret');
    expect(previews.hasSession('p4', 'session-secret')).toBe(true);
    expect(previews.hasSession('p4', 'other')).toBe(false);
    expect(previews.hasSession('p4', undefined)).toBe(false);
  });

  it('expires on the virtual clock: no decision, no consumption after the TTL', () => {
    create('p5');
    clock.advance(3_600_001);
    expect(previews.get('p5')).toBeUndefined();
    expect(codeOf(() => previews.decide('p5', 'approve'))).toBe('evidence-preview-not-found');
    expect(previews.consume('p5')).toBeUndefined();
    expect(codeOf(() => previews.mustGet('p5'))).toBe('evidence-preview-not-found');
  });
});
