import { createRoute, z } from '@hono/zod-openapi';
import {
  type AppEnv,
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  problemResponses,
  recordHop,
  requireJson,
} from '@kakehashi/core';
import { inspectCertificate } from '@kakehashi/trust';
import type { Context } from 'hono';
import type { SigningCredential } from '../common/certificates.ts';
import '../error-codes.ts';
import type { Packaging } from '../common/signature-facts.ts';
import { renderReportHtml } from '../report/render-report.ts';
import { type ValidationReport, ValidationReportSchema } from '../report/z-report.ts';
import { applySigningFaults, requireSigningFaultRequest } from '../sign/apply-signing-faults.ts';
import { ESIG_SIGNING_FAULTS } from '../sign/faults.ts';
import { signDocument } from '../sign/sign-document.ts';
import { ESIG_LENIENT_FAULTS } from '../validate/faults.ts';
import { validateSignature } from '../validate/validate-signature.ts';
import type { SignatureServiceDeps } from './service-deps.ts';
import { validationContexts } from './validation-context.ts';
import {
  SignersSchema,
  type SignRequest,
  SignRequestSchema,
  SignResponseSchema,
  ValidateRequestSchema,
} from './z-service.ts';

export type { SignatureServiceDeps } from './service-deps.ts';

function decodeContent(c: { content: string; encoding: 'utf8' | 'base64' }, what: string): Buffer {
  if (c.encoding === 'utf8') return Buffer.from(c.content, 'utf8');
  const clean = c.content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1)
    throw new KakehashiError('validation-failed', `${what} is declared base64 but is not valid base64.`);
  return Buffer.from(clean, 'base64');
}

const subjectOf = (pem: string) => {
  try {
    return inspectCertificate(pem).subject;
  } catch {
    return '(unreadable certificate)';
  }
};

/** The credential of the agency or (Japan) the citizen persona that signs; `esig-signer-not-found` otherwise. */
function resolveSigner(
  signers: NonNullable<SignatureServiceDeps['signers']>,
  signer: SignRequest['signer'],
): { id: string; credential: SigningCredential } {
  if (signer.type === 'agency') {
    const id = signer.id;
    const credential = Object.hasOwn(signers.agencies, id) ? signers.agencies[id] : undefined;
    if (!credential)
      throw new KakehashiError(
        'esig-signer-not-found',
        `No agency "${id}" at this node; GET /esig/signers lists them (${Object.keys(signers.agencies).join(', ')}).`,
      );
    return { id, credential };
  }
  const id = signer.personaId;
  if (!signers.citizen)
    throw new KakehashiError('esig-signer-not-found', 'Citizens sign only where a JPKI card issuer exists (node JP).');
  try {
    return { id, credential: signers.citizen(id) };
  } catch {
    throw new KakehashiError(
      'esig-signer-not-found',
      `No persona "${id}" with a My Number Card at this node; GET /personas lists them.`,
    );
  }
}

/** Records the service's `internal` trace event (the decoded artefact and the verdict) in the request's trace. */
function traceHop(
  deps: SignatureServiceDeps,
  c: Context<AppEnv>,
  operation: string,
  artefact: unknown,
  verdict: { valid: boolean; checks?: unknown[] },
): void {
  recordHop(deps.traces, deps.clock, c.get('trace'), {
    component: deps.component,
    country: deps.country,
    operation,
    direction: 'internal',
    artefact,
    verdict,
  });
}

/**
 * `POST /esig/validate` (hub and nodes): any XAdES/JAdES/CAdES signature → the ETSI EN 319 102-1 report, as JSON
 * or — with `Accept: text/html` — a readable page; the validation is traced with its verdict.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/
 */
export function signatureValidationRoutes(deps: SignatureServiceDeps): ComponentApp {
  const r = createRouteModule();
  const contextFor = validationContexts(deps);
  r.openapi(
    createRoute({
      method: 'post',
      path: '/esig/validate',
      tags: ['esig', 'validation'],
      summary: 'Validate a XAdES, JAdES or CAdES signature (B-B, B-T) per ETSI EN 319 102-1',
      description:
        'Answers 200 with the report whatever the verdict: `indication` TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE, `subIndication` as an ETSI URN, a plain-language `explanation`, and each building block with its checks. Malformed signatures give a report with FORMAT_FAILURE; problems (400/413/415) only for a malformed request. `Accept: text/html` returns a readable page.',
      request: { body: { required: true, content: { 'application/json': { schema: ValidateRequestSchema } } } },
      responses: {
        200: {
          description: 'The validation report',
          content: { 'application/json': { schema: ValidationReportSchema }, 'text/html': { schema: z.string() } },
        },
        ...problemResponses(400, 413, 415),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      const body = c.req.valid('json');
      const signature =
        body.signatureEncoding === 'base64'
          ? decodeContent({ content: body.signature, encoding: 'base64' }, 'signature')
          : body.signature;
      const detached = body.detachedContent ? decodeContent(body.detachedContent, 'detachedContent') : undefined;
      const report: ValidationReport = await validateSignature(
        {
          signature,
          ...(detached ? { detachedContent: detached } : {}),
          ...(body.detachedContent?.name ? { detachedName: body.detachedContent.name } : {}),
        },
        contextFor(c.get('fetch')),
      );
      traceHop(
        deps,
        c,
        `esig: ${report.format} signature validated`,
        {
          type: report.format.toLowerCase(),
          level: report.level,
          packaging: report.packaging,
          signer: report.signer?.subject,
          signingTime: report.signingTime,
          signedData: report.signedData,
          unverified: report.indication !== 'TOTAL-PASSED',
        },
        {
          valid: report.indication === 'TOTAL-PASSED',
          checks: [
            { indication: report.indication, subIndication: report.subIndication, explanation: report.explanation },
            ...report.buildingBlocks,
          ],
        },
      );
      deps.logger.info('signature validated', {
        format: report.format,
        indication: report.indication,
        subIndication: report.subIndicationName,
      });
      const accept = c.req.header('accept') ?? '';
      if (/text\/html/.test(accept) && !/application\/json/.test(accept))
        return c.html(renderReportHtml(report)) as never;
      return c.json(report as never, 200);
    },
  );

  return r;
}

/**
 * Nodes: `GET /esig/signers` and `POST /esig/sign` — an agency of this node, or in Japan a citizen with the JPKI
 * signature key, signs a document (XAdES, JAdES, CAdES; B-B, or B-T with the node's TSA); the signing is traced.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/
 */
export function signingRoutes(
  deps: SignatureServiceDeps,
  signers: NonNullable<SignatureServiceDeps['signers']>,
): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/esig/signers',
      tags: ['esig'],
      summary:
        'Who can sign at this node (agencies; in Japan citizens with their JPKI signature certificate), formats and levels',
      responses: { 200: { description: 'Signers', content: { 'application/json': { schema: SignersSchema } } } },
    }),
    (c) =>
      c.json(
        {
          ...(deps.country ? { country: deps.country } : {}),
          agencies: Object.entries(signers.agencies).map(([id, cr]) => ({ id, subject: subjectOf(cr.certPem) })),
          citizens: signers.citizen !== undefined,
          formats: ['xades', 'jades', 'cades'],
          levels: deps.tsa ? ['B-B', 'B-T'] : ['B-B'],
          ...(deps.tsa ? { timestampAuthority: deps.tsa.label } : {}),
        },
        200,
      ),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/esig/sign',
      tags: ['esig'],
      summary: 'Sign a document as an agency of this node or (Japan) as a citizen with the JPKI signature key',
      description:
        "XAdES (enveloped | enveloping | detached), JAdES and CAdES (enveloping = attached | detached), B-B or B-T (a time-stamp from this node's TSA). The signature carries the signer certificate and its chain. TEST ONLY keys. Security lab: one request may ask for a signing fault (`X-Kakehashi-Fault` header or `kakehashi_fault` query parameter: esig.revoked-certificate, esig.expired-certificate, esig.missing-signing-certificate, esig.untrusted-tsa, esig.weak-algorithm; GET /admin/faults lists them) — 400 fault-unknown for another name, 422 esig-fault-unavailable when this node does not hold the key of the signer's CA, or esig.untrusted-tsa is asked for a B-B signing.",
      request: {
        query: z.object({
          kakehashi_fault: z.string().max(100).optional().openapi({
            description: 'A signing fault for this request only (security lab)',
            example: 'esig.weak-algorithm',
          }),
        }),
        body: { required: true, content: { 'application/json': { schema: SignRequestSchema } } },
      },
      responses: {
        200: { description: 'The signature', content: { 'application/json': { schema: SignResponseSchema } } },
        ...problemResponses(400, 404, 413, 415, 422, 503),
      },
    }),
    async (c) => {
      requireJson(c.req.header('content-type'));
      requireSigningFaultRequest(deps.faults);
      const body = c.req.valid('json');
      const resolved = resolveSigner(signers, body.signer);
      const id = resolved.id;
      const { credential, tsa, omitSigningCertificate, weakHash } = applySigningFaults(deps.faults, {
        credential: resolved.credential,
        tsa: deps.tsa,
        issuers: deps.faultIssuers ?? [],
        clock: deps.clock,
        signer: `${body.signer.type}:${id}`,
        timestamped: body.level === 'B-T',
      });
      const content = decodeContent(body.document, 'document.content');
      const isXml = content.subarray(0, 64).toString('utf8').trimStart().startsWith('<');
      const packaging: Packaging = body.packaging ?? (body.format === 'xades' && isXml ? 'enveloped' : 'enveloping');
      const signed = await signDocument({
        format: body.format,
        level: body.level,
        packaging,
        credential,
        content,
        clock: deps.clock,
        ...(body.document.mimeType ? { mimeType: body.document.mimeType } : {}),
        ...(body.document.name ? { detachedName: body.document.name } : {}),
        ...(tsa ? { tsa } : {}),
        ...(omitSigningCertificate ? { omitSigningCertificate } : {}),
        ...(weakHash ? { weakHash } : {}),
      });
      const subject = subjectOf(credential.certPem);
      traceHop(
        deps,
        c,
        `esig: ${signed.format} ${signed.level} signature created`,
        {
          type: signed.format.toLowerCase(),
          signer: subject,
          level: signed.level,
          packaging,
          signingTime: signed.signingTime,
          timestamp: signed.timestamp,
        },
        { valid: true },
      );
      return c.json(
        {
          testOnly: true as const,
          ...signed,
          signer: { type: body.signer.type, id, subject, country: /C=([A-Z]{2})/.exec(subject)?.[1] ?? '' },
        },
        200,
      );
    },
  );
  return r;
}

/**
 * Mounts the eSignature service on a component: validation ({@link signatureValidationRoutes}) everywhere and,
 * where `deps.signers` is given (nodes), signing ({@link signingRoutes}). Offers the validator's weak-node faults
 * (`lenient.esig.*`) everywhere and the signing faults (`esig.*`) where it signs.
 */
export function mountSignatureService(app: ComponentApp, deps: SignatureServiceDeps): void {
  deps.faults.offer(ESIG_LENIENT_FAULTS);
  if (deps.signers) deps.faults.offer(ESIG_SIGNING_FAULTS);
  app.route('/', signatureValidationRoutes(deps));
  if (deps.signers) app.route('/', signingRoutes(deps, deps.signers));
}
