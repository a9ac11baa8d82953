import { X509Certificate } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import type { KeyCert, ParsedCrl, VerificationMemo } from '@kakehashi/trust';

type VerifiedLotl = ReturnType<VerificationMemo['verifyLotl']>;
type VerifiedTrustedList = ReturnType<VerificationMemo['verifyTrustedList']>;

/** Where an instant stands against a validity period, on the virtual clock. */
const PeriodStatusSchema = z.enum(['current', 'not-yet-valid', 'expired']);
type PeriodStatus = z.infer<typeof PeriodStatusSchema>;

/** Where a published list or CRL stands: current, or past its NextUpdate. */
const ListStatusSchema = z.enum(['current', 'past-next-update', 'not-yet-issued']);

const CertificateSchema = z.object({
  name: z.string().optional().openapi({ description: "The certificate's name in the trust material" }),
  subject: z.string(),
  serialHex: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  validity: PeriodStatusSchema.openapi({ description: 'Its validity period against the virtual clock' }),
  revoked: z
    .object({ at: z.string(), reason: z.string() })
    .optional()
    .openapi({ description: 'Revoked (and when) by the CRL of its issuer' }),
});

const CrlSchema = z.object({
  url: z.string(),
  crlNumber: z.string().optional(),
  thisUpdate: z.string(),
  nextUpdate: z.string().nullable(),
  status: ListStatusSchema,
  revoked: z.number().int().openapi({ description: 'How many certificates it lists' }),
});

const ServiceSchema = z.object({
  tsp: z.string().openapi({ description: 'The trust service provider' }),
  name: z.string(),
  type: z.string().openapi({ description: 'Short service type, e.g. CA/QC, TSA/QTST', example: 'CA/QC' }),
  typeUri: z.string(),
  status: z.enum(['granted', 'withdrawn', 'other']).openapi({ description: 'Its status in the trusted list' }),
  statusSince: z.string(),
  /** The service's digital identity (its CA or TSA certificate). */
  certificate: CertificateSchema.optional(),
  crl: CrlSchema.optional().openapi({ description: 'The CRL of a CA service' }),
  issued: z
    .array(CertificateSchema)
    .openapi({ description: 'The certificates of the trust material the service issued (a CA)' }),
});

const ListSchema = z.object({
  territory: z.string(),
  url: z.string(),
  operator: z.string(),
  sequenceNumber: z.number().int(),
  issueDate: z.string(),
  nextUpdate: z.string(),
  status: ListStatusSchema,
  services: z.array(ServiceSchema),
});

/** `GET /trust/fabric`: the trust fabric as a tree, each element with its status on the virtual clock. */
export const TrustFabricSchema = z
  .object({
    at: z.string().openapi({ description: 'The virtual-clock instant the statuses are judged at' }),
    lotl: z
      .object({
        url: z.string(),
        operator: z.string(),
        sequenceNumber: z.number().int(),
        issueDate: z.string(),
        nextUpdate: z.string(),
        status: ListStatusSchema,
        signer: CertificateSchema,
      })
      .nullable()
      .openapi({ description: 'null when the LOTL cannot be verified now (then `problem` says why)' }),
    lists: z.array(ListSchema),
    problem: z
      .string()
      .optional()
      .openapi({ description: 'Why the fabric cannot be walked now (e.g. the LOTL signer certificate has expired)' }),
  })
  .openapi('TrustFabric');

export type TrustFabric = z.infer<typeof TrustFabricSchema>;
type Certificate = z.infer<typeof CertificateSchema>;

/** What the description is built from: the hub's own verified lists, CRLs, material and revocations. */
export interface FabricInput {
  now: Date;
  lotl: VerifiedLotl & { url: string };
  lists: (VerifiedTrustedList & { url: string })[];
  /** Every certificate of the trust material. */
  all: KeyCert[];
  /** The CRL the hub publishes for a CA (by name), with its URL. */
  crlOf: (caName: string) => { url: string; crl: ParsedCrl } | undefined;
}

const period = (now: number, from: Date, to: Date): PeriodStatus =>
  now < from.getTime() ? 'not-yet-valid' : now > to.getTime() ? 'expired' : 'current';

const listStatus = (now: number, issued: Date, next: Date | null | undefined) =>
  now < issued.getTime()
    ? ('not-yet-issued' as const)
    : next && now > next.getTime()
      ? ('past-next-update' as const)
      : ('current' as const);

/**
 * Describes the trust fabric as a relying party would walk it — the LOTL, the national lists it points at, each
 * list's services (CAs and time-stamping units) with their trusted-list status, and for each CA its CRL and the
 * certificates it issued — every element judged on the virtual clock (validity periods, NextUpdate, revocations).
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/02.03.01_60/ts_119612v020301p.pdf §5.3, §5.5
 */
export function describeFabric(input: FabricInput): TrustFabric {
  const now = input.now.getTime();
  const bySerial = new Map(input.all.map((k) => [k.serialHex.toLowerCase(), k]));
  const revocationOf = (k: KeyCert) => {
    if (!k.issuerName) return undefined;
    const hit = input.crlOf(k.issuerName)?.crl.find(k.serialHex);
    return hit && hit.revokedAt.getTime() <= now
      ? { at: hit.revokedAt.toISOString(), reason: hit.reason ?? 'unspecified' }
      : undefined;
  };
  const describe = (k: KeyCert | undefined, pem?: string): Certificate | undefined => {
    const x = k?.certificate ?? (pem ? safeX509(pem) : undefined);
    if (!x) return undefined;
    const notBefore = new Date(x.validFrom);
    const notAfter = new Date(x.validTo);
    const revoked = k ? revocationOf(k) : undefined;
    return {
      ...(k ? { name: k.name } : {}),
      subject: x.subject.replace(/\n/g, ', '),
      serialHex: x.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ''),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      validity: period(now, notBefore, notAfter),
      ...(revoked ? { revoked } : {}),
    };
  };
  const keyCertOf = (pem: string | undefined) => {
    const x = pem ? safeX509(pem) : undefined;
    return x ? bySerial.get(x.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '')) : undefined;
  };
  const signer = describe(keyCertOf(input.lotl.signerCertPem), input.lotl.signerCertPem) as Certificate;
  return {
    at: input.now.toISOString(),
    lotl: {
      url: input.lotl.url,
      operator: input.lotl.schemeOperatorName,
      sequenceNumber: input.lotl.sequenceNumber,
      issueDate: input.lotl.issueDate.toISOString(),
      nextUpdate: input.lotl.nextUpdate.toISOString(),
      status: listStatus(now, input.lotl.issueDate, input.lotl.nextUpdate),
      signer,
    },
    lists: input.lists.map((l) => ({
      territory: l.territory,
      url: l.url,
      operator: l.schemeOperatorName,
      sequenceNumber: l.sequenceNumber,
      issueDate: l.issueDate.toISOString(),
      nextUpdate: l.nextUpdate.toISOString(),
      status: listStatus(now, l.issueDate, l.nextUpdate),
      services: l.services.map((s) => {
        const pem = s.certificatesPem[0];
        const k = keyCertOf(pem);
        const certificate = describe(k, pem);
        const published = k ? input.crlOf(k.name) : undefined;
        return {
          tsp: s.tspName,
          name: s.serviceName,
          type: /Svctype\/(.+)$/.exec(s.type)?.[1] ?? s.type,
          typeUri: s.type,
          status: s.statusName,
          statusSince: s.statusStartingTime.toISOString(),
          ...(certificate ? { certificate } : {}),
          ...(published
            ? {
                crl: {
                  url: published.url,
                  ...(published.crl.crlNumber !== undefined ? { crlNumber: published.crl.crlNumber } : {}),
                  thisUpdate: published.crl.thisUpdate.toISOString(),
                  nextUpdate: published.crl.nextUpdate?.toISOString() ?? null,
                  status: listStatus(now, published.crl.thisUpdate, published.crl.nextUpdate),
                  revoked: published.crl.revoked.length,
                },
              }
            : {}),
          issued: k
            ? input.all
                .filter((c) => c.issuerName === k.name && c !== k)
                .map((c) => describe(c) as Certificate)
                .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
            : [],
        };
      }),
    })),
  };
}

function safeX509(pem: string) {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}
