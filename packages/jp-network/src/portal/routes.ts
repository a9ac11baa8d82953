import { createRoute, z } from '@hono/zod-openapi';
import {
  type ComponentApp,
  createRouteModule,
  KakehashiError,
  langLink,
  pageLang,
  problemResponses,
} from '@kakehashi/core';
import { signChallengeWithCard } from '../crypto/card-auth.ts';
import type { CooperationNetworkParts } from '../network-parts.ts';
import '../error-codes.ts';
import { bearerToken, CardAnswerSchema, CardChallengeSchema, CardResponseSchema, okJson } from '../route-support.ts';
import { portalCsp, renderPortalPage } from './render-portal-page.ts';

/** What the citizen sees of one exchange about them (DisclosedRecord): when, who, why, which items. */
const DisclosedRecordSchema = z
  .object({
    requestId: z.string(),
    when: z.object({ requestedAt: z.string(), providedAt: z.string().nullable() }),
    who: z.object({ requester: z.string(), provider: z.string() }),
    why: z.object({ procedure: z.string(), procedureLocal: z.string().optional(), legalBasis: z.string().optional() }),
    items: z.array(z.string()),
    outcome: z.enum(['provided', 'refused']),
    local: z
      .object({
        requester: z.string().optional(),
        provider: z.string().optional(),
        items: z.array(z.string()),
      })
      .optional()
      .describe("Japanese names of the agencies (Japan's own) and of the items, for the page in Japanese"),
  })
  .openapi('JpDisclosedRecord');

/** The citizen's own data from one provider (self-information disclosure through the network). */
const OwnDataSchema = z.object({
  provider: z.string(),
  requestId: z.string(),
  outcome: z.enum(['provided', 'refused']),
  data: z.record(z.string(), z.unknown()).optional().openapi({ description: 'The items provided, by name' }),
  refusal: z.object({ code: z.string(), reason: z.string() }).optional(),
});

const BankAccountSchema = z.record(z.string(), z.string()).openapi({
  description: 'bankCode, branchCode, accountType, accountNumber, holderKana',
  example: {
    bankCode: '0001',
    branchCode: '001',
    accountType: 'ordinary',
    accountNumber: '1234567',
    holderKana: 'ヤマダ タロウ',
  },
});

/** The portal session (Bearer), on the routes of a logged-in citizen. */
const SESSION = [{ jpPortalSession: [] }];

/** What the citizen portal's routes need. */
export type PortalRouteDeps = Pick<CooperationNetworkParts, 'deps' | 'portal' | 'ready' | 'trace'>;

/**
 * The Mynaportal-like citizen portal: the page (HTML), card login and logout, "every exchange about me", own data
 * through the network, the public-funds receiving account (a write guarded by card re-authentication), and the
 * TEST ONLY simulated card reader.
 * @see https://myna.go.jp/ (マイナポータル)
 */
export function portalRoutes(p: PortalRouteDeps): ComponentApp {
  const r = createRouteModule();
  r.openAPIRegistry.registerComponent('securitySchemes', 'jpPortalSession', {
    type: 'http',
    scheme: 'bearer',
    description: 'The session token of POST /jp/portal/login',
  });
  pageAndLoginRoutes(r, p);
  myDataRoutes(r, p);
  cardReaderRoute(r, p);
  return r;
}

/** The page, the challenge, login and logout. */
function pageAndLoginRoutes(r: ComponentApp, p: PortalRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'get',
      path: '/jp/portal',
      tags: ['jp-portal'],
      summary:
        'The citizen portal page (HTML, watermarked TEST ONLY), in Japanese with ?lang=ja, English with ?lang=en (remembered in the cookie kakehashi-lang)',
      responses: { 200: { description: 'OK', content: { 'text/html': { schema: z.string() } } } },
    }),
    (c) => {
      c.header('content-security-policy', portalCsp(p.deps.hubUrl));
      c.header('cache-control', 'no-store');
      return c.html(
        renderPortalPage(
          p.deps.personas
            .filter((persona) => persona.fourFacts)
            .map((persona) => ({
              id: persona.id,
              label: `${persona.id} — ${persona.familyName} ${persona.givenName} (${persona.familyNameLatin} ${persona.givenNameLatin})`,
            })),
          pageLang(c),
          { en: langLink(c, 'en'), ja: langLink(c, 'ja') },
        ),
        200,
      );
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/portal/login/challenge',
      tags: ['jp-portal'],
      summary: 'A single-use challenge for the card (purpose login, or reauth with the session as Bearer)',
      security: [{}, ...SESSION],
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ purpose: z.enum(['login', 'reauth']).default('login') }).strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': { schema: CardChallengeSchema },
          },
        },
        ...problemResponses(400, 401, 415),
      },
    }),
    async (c) => {
      await p.ready();
      return c.json(p.portal.challenge(c.req.valid('json').purpose, bearerToken(c)), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/portal/login',
      tags: ['jp-portal'],
      summary: "Log in with the card's user-authentication certificate and its signature over the challenge",
      request: { body: { required: true, content: { 'application/json': { schema: CardAnswerSchema.strict() } } } },
      responses: {
        200: {
          description: 'OK',
          content: { 'application/json': { schema: z.object({ sessionToken: z.string(), expiresAt: z.string() }) } },
        },
        ...problemResponses(400, 401, 415),
      },
    }),
    async (c) => {
      await p.ready();
      const b = c.req.valid('json');
      try {
        const session = await p.portal.login(b.challengeId, b);
        p.trace('portal login', { certificate: '[JPKI user authentication]', outcome: 'session issued' }, true);
        return c.json(session, 200);
      } catch (e) {
        p.trace(
          'portal login',
          { outcome: 'refused', code: e instanceof KakehashiError ? e.code : 'internal-error' },
          false,
        );
        throw e;
      }
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/portal/logout',
      tags: ['jp-portal'],
      summary: 'End the session (Bearer)',
      security: SESSION,
      request: { body: { required: true, content: { 'application/json': { schema: z.object({}).strict() } } } },
      responses: { ...okJson(z.object({ loggedOut: z.literal(true) })), ...problemResponses(400, 415) },
    }),
    (c) => {
      p.portal.logout(bearerToken(c));
      return c.json({ loggedOut: true as const }, 200);
    },
  );
}

/** What the logged-in citizen sees and changes (Bearer session). */
function myDataRoutes(r: ComponentApp, p: PortalRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'get',
      path: '/jp/portal/me/records',
      tags: ['jp-portal'],
      summary: 'Every exchange about me: when, who, why, which items (Bearer session)',
      security: SESSION,
      responses: { ...okJson(z.object({ records: z.array(DisclosedRecordSchema) })), ...problemResponses(401) },
    }),
    async (c) => {
      await p.ready();
      return c.json({ records: await p.portal.disclosedRecords(bearerToken(c)) }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/jp/portal/me/data',
      tags: ['jp-portal'],
      summary: 'My own data, from each provider through the network (Bearer session)',
      security: SESSION,
      responses: { ...okJson(z.object({ providers: z.array(OwnDataSchema) })), ...problemResponses(401) },
    }),
    async (c) => {
      await p.ready();
      return c.json({ providers: await p.portal.ownData(bearerToken(c)) }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'put',
      path: '/jp/portal/me/bank-account',
      tags: ['jp-portal'],
      summary: 'Register my public-funds receiving account (a write: needs card re-authentication)',
      security: SESSION,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  bankCode: z.string().regex(/^\d{4}$/),
                  branchCode: z.string().regex(/^\d{3}$/),
                  accountType: z.enum(['ordinary', 'current', 'savings']),
                  accountNumber: z.string().regex(/^\d{7}$/),
                  holderKana: z.string().min(1).max(60),
                  reauth: CardAnswerSchema.optional(),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        ...okJson(z.object({ registeredFor: z.string(), registeredAt: z.string() }), 'Registered'),
        ...problemResponses(400, 401, 403, 415),
      },
    }),
    async (c) => {
      await p.ready();
      const { reauth, ...account } = c.req.valid('json');
      return c.json(await p.portal.registerBankAccount(bearerToken(c), account, reauth), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/jp/portal/me/bank-account',
      tags: ['jp-portal'],
      summary: 'My registered public-funds receiving account (Bearer session)',
      security: SESSION,
      responses: {
        ...okJson(
          z.object({
            bankAccount: z.object({ account: BankAccountSchema, registeredAt: z.string() }).nullable(),
          }),
        ),
        ...problemResponses(401),
      },
    }),
    (c) => c.json({ bankAccount: p.portal.bankAccount(bearerToken(c)) }, 200),
  );
}

/** TEST ONLY: the simulated card reader the page and the tests log in with. */
function cardReaderRoute(r: ComponentApp, p: PortalRouteDeps): void {
  r.openapi(
    createRoute({
      method: 'post',
      path: '/jp/portal/test-card-reader',
      tags: ['jp-portal'],
      summary: 'TEST ONLY — simulated card reader: the chosen persona’s card signs the challenge',
      description:
        'Stands in for the physical card and PIN so that tests and the demo page can log in. Never part of a real portal.',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ personaId: z.string().max(40), challenge: z.string().min(8).max(400) }).strict(),
            },
          },
        },
      },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: CardResponseSchema } } },
        ...problemResponses(400, 404, 415),
      },
    }),
    (c) => {
      if (!p.deps.cards) throw new KakehashiError('not-found', 'This node issues no My Number Cards.');
      const b = c.req.valid('json');
      return c.json(signChallengeWithCard(p.deps.cards(b.personaId), b.challenge), 200);
    },
  );
}
