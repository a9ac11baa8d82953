import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readDerExact } from '../src/asn1/der.ts';
import { renderReportHtml } from '../src/report/render-report.ts';
import { signDocument } from '../src/sign/sign-document.ts';
import { buildTimestampRequest } from '../src/tsa/timestamp-authority.ts';
import { verifyTimestampToken } from '../src/tsa/verify-timestamp.ts';
import { detectFormat } from '../src/validate/detect-format.ts';
import { validateSignature } from '../src/validate/validate-signature.ts';
import { cred, frozenClock, jpkiCitizen, material, T0, trustView, tsaFor } from './fixtures.ts';

const XML = Buffer.from('<Notice xmlns="urn:kakehashi:test"><Text>Ihr Antrag wurde genehmigt</Text></Notice>');
const BIN = Buffer.from([0, 1, 2, 3, 250, 251, 252]);

describe('sign → validate round trip, every format, level and packaging', () => {
  const clock = frozenClock();
  const { ctx } = trustView({ clock });
  const tsa = tsaFor('AT', clock);
  const matrix = [
    ...(['enveloped', 'enveloping', 'detached'] as const).map((p) => ['xades', p] as const),
    ...(['enveloping', 'detached'] as const).map((p) => ['jades', p] as const),
    ...(['enveloping', 'detached'] as const).map((p) => ['cades', p] as const),
  ];
  for (const [format, packaging] of matrix) {
    for (const level of ['B-B', 'B-T'] as const) {
      it(`${format} ${level} ${packaging}`, async () => {
        const content = format === 'xades' && packaging === 'enveloped' ? XML : BIN;
        const s = await signDocument({
          format,
          level,
          packaging,
          credential: cred(material().countries.AT!.agencies.bmi!),
          content,
          clock,
          tsa,
        });
        expect(detectFormat(s.signature)).toBe(s.format);
        const r = await validateSignature({ signature: s.signature, detachedContent: content }, ctx);
        expect(r.indication, r.explanation).toBe('TOTAL-PASSED');
        expect([r.format, r.level, r.packaging]).toEqual([s.format, level, packaging]);
        expect(r.signingTime.claimed).toBe(T0.toISOString());
        expect(r.signingTime.proven).toBe(level === 'B-T' ? T0.toISOString() : undefined);
        expect(r.signer?.country).toBe('AT');
        expect(r.buildingBlocks.map((b) => [b.id, b.indication])).toEqual([
          ['FC', 'PASSED'],
          ['ISC', 'PASSED'],
          ['CV', 'PASSED'],
          ...(level === 'B-T' ? [['TST', 'PASSED']] : []),
          ['XCV', 'PASSED'],
          ['SAV', 'PASSED'],
        ]);
        if (packaging === 'detached' || format !== 'xades')
          expect(r.signedData[0]?.digest).toBe(createHash('sha256').update(content).digest('hex'));
      });
    }
  }

  it('a citizen signs with the JPKI signature certificate: the report shows the four facts', async () => {
    const s = await signDocument({
      format: 'cades',
      level: 'B-T',
      packaging: 'enveloping',
      credential: cred(jpkiCitizen().signature),
      content: BIN,
      clock,
      tsa: tsaFor('JP', clock),
    });
    const r = await validateSignature({ signature: s.signature }, ctx);
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.signer?.jpki).toEqual({
      name: '山田 花子',
      sex: '2',
      dateOfBirth: '19900101',
      address: '東京都千代田区霞が関1-1',
    });
    const html = renderReportHtml(r);
    expect(html).toContain('data-testid="indication">TOTAL-PASSED');
    expect(html).toContain('TEST ONLY');
  });

  it('refuses enveloped packaging for non-XML content and for JAdES/CAdES; B-T without a TSA', async () => {
    const credential = cred(material().countries.AT!.agencies.bmi!);
    await expect(
      signDocument({ format: 'xades', level: 'B-B', packaging: 'enveloped', credential, content: BIN, clock }),
    ).rejects.toMatchObject({ code: 'esig-packaging-unsupported' });
    await expect(
      signDocument({ format: 'cades', level: 'B-B', packaging: 'enveloped', credential, content: BIN, clock }),
    ).rejects.toMatchObject({ code: 'esig-packaging-unsupported' });
    await expect(
      signDocument({ format: 'jades', level: 'B-T', packaging: 'enveloping', credential, content: BIN, clock }),
    ).rejects.toMatchObject({ code: 'esig-timestamp-unavailable' });
  });
});

describe('RFC 3161 time-stamp authority', () => {
  const clock = frozenClock(new Date('2026-06-01T12:34:56.789Z'));
  const tsa = tsaFor('DE', clock);
  it('grants a request: nonce echoed, genTime from the virtual clock with milliseconds, token verifies', async () => {
    const digest = createHash('sha256').update('data').digest();
    const resp = await tsa.respond(buildTimestampRequest(digest, { nonce: 123456789n, certReq: true }));
    const outer = readDerExact(resp);
    expect([...outer.value.subarray(0, 5)]).toEqual([0x30, 0x03, 0x02, 0x01, 0x00]);
    const token = Buffer.from(outer.value.subarray(5));
    const facts = verifyTimestampToken(token, Buffer.from('data'));
    expect(facts.intact, facts.problems.join()).toBe(true);
    expect(facts.genTime?.toISOString()).toBe('2026-06-01T12:34:56.789Z');
    expect(facts.policy).toBe('0.4.0.2023.1.1');
    expect(token.includes(Buffer.from([0x02, 0x04, 0x07, 0x5b, 0xcd, 0x15]))).toBe(true); // INTEGER 123456789
    expect(verifyTimestampToken(token, Buffer.from('other data')).imprintMatches).toBe(false);
  });
  it('rejects bad requests with a PKIFailureInfo: SHA-1 imprint (badAlg), garbage (badDataFormat)', async () => {
    const sha1 = Buffer.from(`3026020101302130090605${'2b0e03021a'}0500${'0414'}${'00'.repeat(20)}`, 'hex');
    const rejected = readDerExact(await tsa.respond(sha1));
    expect(rejected.value[4]).toBe(2); // PKIStatus rejection
    expect(rejected.value.includes(Buffer.from('SHA-256'))).toBe(true);
    expect(rejected.value.includes(Buffer.from([0x03, 0x02, 0x07, 0x80]))).toBe(true); // failInfo badAlg (bit 0)
    const garbage = readDerExact(await tsa.respond(Buffer.from('garbage')));
    expect(garbage.value[4]).toBe(2); // PKIStatus rejection
  });
});
