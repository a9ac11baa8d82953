/**
 * eSignature figures for `kakehashi bench`: signatures created and validated per second for XAdES, JAdES and
 * CAdES (B-B and B-T), each as a ratio to the raw RSA-2048 sign / verify ceilings measured in the same run
 * (ECDSA P-256 ceilings listed for reference), and XAdES sign-and-verify side by side with `xadesjs` doing the
 * same work (enveloped, exclusive c14n, RSA-SHA256, SigningTime) in the same run.
 *
 * Each validation ratio divides by the raw RSA verify rate measured right before and after that format's
 * validations (the load of a shared machine drifts); `validationVsCryptoCeiling` lists them per format and level.
 *
 * Validation here is the full EN 319 102-1 run (format, signing-certificate binding, digests and signature,
 * path to the trusted lists with CRLs, time-stamp, constraints); `xadesjs` verifies the XML signature only, so
 * our format-and-crypto step alone (`readXades`) is measured too, as the like-for-like comparison.
 *
 * `xadesjs`, `@xmldom/xmldom` and `xpath` are the federation package's own devDependencies (a bench is a dev
 * tool), loaded from here with `createRequire`; xadesjs gets that xmldom/xpath at runtime (`setNodeDependencies`
 * on both xml-core copies it pulls in), as its peer ranges want newer ones.
 */
import { constants, generateKeyPairSync, type KeyObject, sign as rawSign, verify as rawVerify } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { VirtualClock } from '@kakehashi/core';
import * as esig from '@kakehashi/esig';
import {
  buildCrls,
  buildLotl,
  buildTrustedList,
  generateTrustMaterial,
  type KeyCert,
  parseCrl,
  TrustStore,
  verifyLotl,
  verifyTrustedList,
} from '@kakehashi/trust';
import { rate } from './bench-measure.ts';

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Loads xadesjs with the DOM and XPath implementations it needs. */
function loadXadesjs() {
  const req = createRequire(import.meta.url);
  const xadesjs = req('xadesjs');
  const { DOMParser, XMLSerializer } = req('@xmldom/xmldom');
  const xpath = req('xpath');
  const fromXades = createRequire(req.resolve('xadesjs'));
  const fromDsig = createRequire(fromXades.resolve('xmldsigjs'));
  for (const r of [fromXades, fromDsig]) r('xml-core').setNodeDependencies({ DOMParser, XMLSerializer, xpath });
  xadesjs.Application.setEngine('NodeJS', globalThis.crypto);
  return { xadesjs, XMLSerializer };
}

export interface EsigBenchOptions {
  windowMs: number;
  /** Where the bench's trust material is cached. */
  cacheDir: string;
  /** Whether to run the side-by-side with xadesjs too (default true). */
  xadesjs?: boolean;
}

/** Runs the eSignature benchmark and returns its figures (see the module comment). */
export async function benchEsig(opts: EsigBenchOptions): Promise<Record<string, unknown>> {
  const at = new Date('2026-06-01T00:00:00Z');
  const clock = new VirtualClock();
  clock.freeze(at);
  mkdirSync(opts.cacheDir, { recursive: true });
  const material = generateTrustMaterial({
    seed: 'kakehashi-bench-esig',
    hubUrl: 'http://127.0.0.1:7000',
    countries: [{ code: 'AT', name: 'Austria', agencies: [{ id: 'bmi', name: 'Bundesministerium für Inneres' }] }],
    cacheDir: opts.cacheDir,
    now: at,
  });
  const issue = {
    sequenceNumber: 1,
    issueDate: new Date(at.getTime() - 86_400_000),
    nextUpdate: new Date(at.getTime() + 30 * 86_400_000),
  };
  const lotl = verifyLotl(buildLotl(material, issue), { pinnedSignerCerts: [material.hub.signing.certPem], clock });
  const store = TrustStore.fromTrustedLists(
    lotl.pointers.map((p) =>
      verifyTrustedList(buildTrustedList(material, p.territory, issue), { signerCerts: p.signerCertsPem, clock }),
    ),
  );
  const crls = buildCrls(material, [], { thisUpdate: issue.issueDate, nextUpdate: issue.nextUpdate, crlNumber: 1 });
  for (const der of Object.values(crls)) store.addCrl(parseCrl(der));
  const ctx = esig.createTrustStoreContext({ store, clock });
  const agencyKc = material.countries.AT?.agencies.bmi;
  const tsaKc = material.countries.AT?.tsa;
  if (!agencyKc || !tsaKc) throw new Error('bench trust material lacks the AT agency or TSA');
  const credential = { certPem: agencyKc.certPem, chainPem: agencyKc.chainPem, privateKey: agencyKc.privateKey };
  const tsa = esig.createTimestampAuthority({
    credential: { certPem: tsaKc.certPem, chainPem: tsaKc.chainPem, privateKey: tsaKc.privateKey },
    clock,
  });
  const doc = Buffer.from(
    `<Decision xmlns="urn:kakehashi:bench"><Case>AT-2026-001</Case>${'<Line>The applicant is entitled to the benefit.</Line>'.repeat(20)}</Decision>`,
  );

  // Raw ceilings, same run.
  const data = Buffer.alloc(256, 7);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaSig = rawSign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecSig = rawSign('sha256', data, ec.privateKey);
  const rawRsaVerify = () => rawVerify('sha256', data, rsa.publicKey, rsaSig);
  const ceilings = {
    rsa2048SignsPerSecond: await rate(opts.windowMs, () => rawSign('sha256', data, rsa.privateKey)),
    rsa2048VerifiesPerSecond: await rate(opts.windowMs, rawRsaVerify),
    ecdsaP256SignsPerSecond: await rate(opts.windowMs, () => rawSign('sha256', data, ec.privateKey)),
    ecdsaP256VerifiesPerSecond: await rate(opts.windowMs, () => rawVerify('sha256', data, ec.publicKey, ecSig)),
  };

  const formats: Record<string, unknown> = {};
  /** Each format's full validations/s ÷ its crypto ceiling (the RSA verifications one validation needs). */
  const validationVsCryptoCeiling: Record<string, number> = {};
  const cases = [
    ['xades', 'enveloped'],
    ['jades', 'enveloping'],
    ['cades', 'enveloping'],
  ] as const;
  for (const [format, packaging] of cases) {
    for (const level of ['B-B', 'B-T'] as const) {
      const make = () => esig.signDocument({ format, level, packaging, credential, content: doc, clock, tsa });
      const sample = await make();
      const check = await esig.validateSignature({ signature: sample.signature }, ctx);
      if (check.indication !== 'TOTAL-PASSED') throw new Error(`bench ${format} ${level}: ${check.explanation}`);
      const signs = await rate(opts.windowMs, make);
      // The raw verify rate measured right before and after the validations (the machine's load drifts).
      const verifyNow = () => rate(Math.max(50, opts.windowMs / 4), rawRsaVerify);
      const verifiesBefore = await verifyNow();
      const validations = await rate(opts.windowMs, () => esig.validateSignature({ signature: sample.signature }, ctx));
      const verifiesAround = (verifiesBefore + (await verifyNow())) / 2;
      // Full validation: the signature, the two certificates of the path and their two CRLs (5 RSA
      // verifications), plus for B-T the token and the TSA's path and CRLs (5 more).
      const perValidation = level === 'B-T' ? 10 : 5;
      const validateToCryptoCeilingRatio = r3(validations / (verifiesAround / perValidation));
      validationVsCryptoCeiling[`${format}-${level}`] = validateToCryptoCeilingRatio;
      formats[`${format}-${level}`] = {
        signsPerSecond: Math.round(signs),
        validationsPerSecond: Math.round(validations),
        // A B-B signature costs one RSA signature (B-T two: the TSA signs too).
        signToRawRsaSignRatio: r3(signs / ceilings.rsa2048SignsPerSecond),
        signToCryptoCeilingRatio: r3(signs / (ceilings.rsa2048SignsPerSecond / (level === 'B-T' ? 2 : 1))),
        rsa2048VerifiesPerSecondAround: Math.round(verifiesAround),
        validateToRawRsaVerifyRatio: r3(validations / verifiesAround),
        cryptoCeilingValidationsPerSecond: Math.round(verifiesAround / perValidation),
        validateToCryptoCeilingRatio,
      };
    }
  }

  // XAdES side by side with xadesjs: enveloped, exclusive c14n, RSA-SHA256, SigningTime, in the same run.
  let xadesjs: Record<string, unknown> = { skipped: 'measured in the first round only' };
  if (opts.xadesjs !== false)
    try {
      xadesjs = await benchAgainstXadesjs({ doc, agency: agencyKc, credential, clock, ctx, windowMs: opts.windowMs });
    } catch (e) {
      xadesjs = { error: `xadesjs could not run: ${e instanceof Error ? e.message : String(e)}` };
    }
  return {
    ceilings: Object.fromEntries(Object.entries(ceilings).map(([k, v]) => [k, Math.round(v)])),
    formats,
    validationVsCryptoCeiling: {
      ...validationVsCryptoCeiling,
      note: 'full EN 319 102-1 validation ÷ the raw RSA-2048 verify rate measured around it, over the verifications one validation needs (B-B 5: signature, 2 certificates, 2 CRLs; B-T 10: also the token, the TSA path and its CRLs)',
    },
    xadesjs,
  };
}

/**
 * Our XAdES B-B next to xadesjs on the same document and key, in interleaved rounds: signing, the XML signature
 * verification alone (like for like) and our full EN 319 102-1 validation.
 */
async function benchAgainstXadesjs(b: {
  doc: Buffer;
  agency: KeyCert;
  credential: { certPem: string; chainPem: string[]; privateKey: KeyObject };
  clock: VirtualClock;
  ctx: Parameters<typeof esig.validateSignature>[1];
  windowMs: number;
}): Promise<Record<string, unknown>> {
  const { doc, credential, clock, ctx } = b;
  const agencyKc = b.agency;
  const { xadesjs: X, XMLSerializer } = loadXadesjs();
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const keys = {
    privateKey: await crypto.subtle.importKey(
      'pkcs8',
      agencyKc.privateKey.export({ type: 'pkcs8', format: 'der' }),
      alg,
      true,
      ['sign'],
    ),
    publicKey: await crypto.subtle.importKey(
      'spki',
      agencyKc.certificate.publicKey.export({ type: 'spki', format: 'der' }),
      alg,
      true,
      ['verify'],
    ),
  };
  const theirsSign = async () => {
    const d = X.Parse(doc.toString('utf8'));
    const s = new X.SignedXml();
    await s.Sign(alg, keys.privateKey, d, {
      keyValue: keys.publicKey,
      references: [{ hash: 'SHA-256', transforms: ['enveloped', 'exc-c14n'] }],
      signingTime: { value: clock.now() },
    });
    d.documentElement.appendChild(s.GetXml());
    return new XMLSerializer().serializeToString(d) as string;
  };
  const theirsXml = await theirsSign();
  const theirsVerify = async () => {
    const d = X.Parse(theirsXml);
    const s = new X.SignedXml(d);
    s.LoadXml(d.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]);
    if (!(await s.Verify())) throw new Error('xadesjs did not verify its own signature');
  };
  await theirsVerify();
  const ours = await esig.signDocument({
    format: 'xades',
    level: 'B-B',
    packaging: 'enveloped',
    credential,
    content: doc,
    clock,
  });
  const readOnly = () => {
    const fo = esig.readXades({ signature: ours.signature }, {});
    if (fo.formatFailure || fo.hashFailure || fo.sigCryptoFailure) throw new Error('readXades failed in bench');
  };
  const rounds: {
    ours: number[];
    theirs: number[];
    oursCrypto: number[];
    theirsVerify: number[];
    oursValidate: number[];
  } = {
    ours: [],
    theirs: [],
    oursCrypto: [],
    theirsVerify: [],
    oursValidate: [],
  };
  const w = Math.max(200, Math.round(b.windowMs / 2));
  for (let i = 0; i < 3; i++) {
    rounds.ours.push(
      await rate(w, () =>
        esig.signDocument({ format: 'xades', level: 'B-B', packaging: 'enveloped', credential, content: doc, clock }),
      ),
    );
    rounds.theirs.push(await rate(w, theirsSign));
    rounds.oursCrypto.push(await rate(w, readOnly));
    rounds.theirsVerify.push(await rate(w, theirsVerify));
    rounds.oursValidate.push(await rate(w, () => esig.validateSignature({ signature: ours.signature }, ctx)));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return {
    document: `${doc.length} bytes, enveloped, exc-c14n, RSA-SHA256 (same key)`,
    interleavedRounds: 3,
    oursSignsPerSecond: Math.round(med(rounds.ours)),
    xadesjsSignsPerSecond: Math.round(med(rounds.theirs)),
    signSpeedup: r3(med(rounds.ours) / med(rounds.theirs)),
    oursXmlSignatureVerifiesPerSecond: Math.round(med(rounds.oursCrypto)),
    xadesjsVerifiesPerSecond: Math.round(med(rounds.theirsVerify)),
    verifySpeedup: r3(med(rounds.oursCrypto) / med(rounds.theirsVerify)),
    oursFullValidationsPerSecond: Math.round(med(rounds.oursValidate)),
    fullValidationVsXadesjsVerify: r3(med(rounds.oursValidate) / med(rounds.theirsVerify)),
    note: 'xadesjs verifies the XML signature only (no trusted list, no revocation, no XAdES binding checks); oursXmlSignatureVerifies is the like-for-like figure, oursFullValidations the whole EN 319 102-1 run',
  };
}
