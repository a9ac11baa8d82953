import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, KakehashiError, problemResponses } from '@kakehashi/core';
import { identifyCardCertificate } from '../crypto/card-auth.ts';
import { seal } from '../crypto/seal.ts';
import { type CooperationNetworkParts, JLIS_AGENCY } from '../network-parts.ts';
import '../error-codes.ts';
import { ADMIN_SECURITY, SIGNED, signedBy } from '../route-support.ts';
import { FourFactsSchema, PartialFactsSchema } from './four-facts.ts';

/** What J-LIS's routes need. */
export type RegistryRouteDeps = Pick<
  CooperationNetworkParts,
  'deps' | 'registry' | 'jlisAuth' | 'networkE2e' | 'transport' | 'credentialOf'
>;

const CodeRequestSchema = z
  .object({
    acquisitionNumber: z.string().min(8).max(100),
    fourFacts: PartialFactsSchema.optional(),
    cardCertificate: z
      .object({
        certificate: z.string().min(50).max(20_000),
        chain: z.array(z.string().max(20_000)).max(4).default([]),
      })
      .optional(),
  })
  .strict()
  .refine(
    (b) => (b.fourFacts === undefined) !== (b.cardCertificate === undefined),
    'send exactly one of fourFacts or cardCertificate',
  );

/**
 * J-LIS (地方公共団体情報システム機構): step 2 of the acquisition-number flow (the person resolved by the strict
 * four facts or by the card; the resident record code forwarded sealed to the network) and resident enrolment.
 * TEST ONLY: the residents are synthetic personas.
 * @see https://laws.e-gov.go.jp/law/425AC0000000027 (My Number Act art. 8, 21-2)
 */
export function registryRoutes(p: RegistryRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/jlis/code-requests',
      tags: ['jp-jlis'],
      summary:
        'Acquisition-number flow, step 2: J-LIS resolves the person (strict four facts, or the card) and forwards',
      description: `${SIGNED} J-LIS adds the resident record code (sealed to the network) and relays the sealed code back; it never sees the code.`,
      request: { body: { required: true, content: { 'application/json': { schema: CodeRequestSchema } } } },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: z.object({ sealedCode: z.string() }) } } },
        ...problemResponses(400, 401, 409, 415, 422),
      },
    }),
    async (c) => {
      const agencyId = await signedBy(c, p.jlisAuth);
      const b = c.req.valid('json');
      const rrc = residentRecordCodeOf(p, b);
      const res = await p.transport.call<{ sealedCode: string }>(
        { id: JLIS_AGENCY, cred: p.credentialOf(JLIS_AGENCY) },
        'network',
        'POST',
        '/jp/network/issuance',
        {
          agencyId,
          acquisitionNumber: b.acquisitionNumber,
          sealedResidentRecordCode: seal(rrc as string, p.networkE2e.publicKey, `issuance/${b.acquisitionNumber}`),
        },
      );
      return c.json(res, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/admin/jp/jlis/residents',
      tags: ['jp-jlis', 'admin'],
      summary: 'Enrol a resident (municipality + J-LIS): a resident record code and a new My Number',
      security: ADMIN_SECURITY,
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ fourFacts: FourFactsSchema }).strict() } },
        },
      },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': {
              schema: z.object({ enrolled: z.literal(true), myNumber: z.string(), residents: z.number() }),
            },
          },
        },
        ...problemResponses(400, 401, 415),
      },
    }),
    (c) => {
      const resident = p.registry.enrol(c.req.valid('json').fourFacts);
      // The citizen is notified of their My Number (TEST ONLY: synthetic); the resident record code stays in the register.
      return c.json({ enrolled: true as const, myNumber: resident.myNumber, residents: p.registry.count() }, 200);
    },
  );
  return r;
}

/** The resident record code of the person a code request names: by the strict four facts, or by the card. */
function residentRecordCodeOf(p: RegistryRouteDeps, b: z.infer<typeof CodeRequestSchema>): string | undefined {
  if (b.fourFacts) return p.registry.matchFourFacts(b.fourFacts);
  if (!b.cardCertificate) return undefined;
  const { serialHex } = identifyCardCertificate(b.cardCertificate, {
    trust: p.deps.trust,
    clock: p.deps.clock,
    jpkiCa: p.deps.credentials.jpkiCa,
  });
  const cards = p.deps.cards;
  const rrc = p.registry.residentRecordCodeOfCard(
    serialHex,
    cards ? (id) => cards(id).certificates.authentication as { serialHex: string } : undefined,
  );
  if (!rrc) throw new KakehashiError('jp-card-auth-failed', 'J-LIS knows no resident holding this card.');
  return rrc;
}
