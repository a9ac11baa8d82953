import { randomBytes } from 'node:crypto';
import { SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/**
 * A small SAML service provider, as an integrator would write one: "Log in with your eID" at a Kakehashi node's
 * IdP with @node-saml/node-saml (a signed AuthnRequest over HTTP-Redirect, the Response posted to `/acs`, both
 * signatures required, the assertion decrypted), then a page with the person's eIDAS minimum data set.
 *
 * node-saml validates the signatures, InResponseTo, the audience and the time conditions. What an eIDAS service
 * provider must check besides, it does not — so the app does, after the library (see {@link checkEidasRules}):
 * the Response carries exactly one assertion (S1–S8), its status is Success (S19), its Destination is this ACS (S14), the Issuer is the IdP (S17), the level
 * of assurance is at least the one requested (S18), and an assertion is consumed once (S12).
 * @see https://github.com/node-saml/node-saml
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eIDAS+eID+Profile (SAML message format)
 */
export interface ServiceProviderOptions {
  /** The IdP's SSO endpoint (HTTP-Redirect): `<node>/saml/idp/sso`. */
  idpSsoUrl: string;
  /** The IdP's entity ID: `<node>/saml/idp/metadata`. */
  idpEntityId: string;
  /** The IdP's signing certificate (PEM, or its base64 body as in the metadata). */
  idpCert: string;
  /** This SP's entity ID; Kakehashi's test-only demo SP (`kakehashi-demo-sp`) takes any loopback ACS. */
  entityId: string;
  /** This SP's key (signs the AuthnRequest, decrypts the assertion): the demo SP's published test key. */
  privateKeyPem: string;
  /** The lowest level of assurance accepted, also the one requested (default substantial). */
  minimumLoa?: string;
  /** Where browsers reach this app (its ACS is `<baseUrl>/acs`); default: the request's own origin. */
  baseUrl?: string;
}

/** The person, as the assertion describes them. */
export interface SamlPerson {
  nameId: string;
  familyName: string;
  givenName: string;
  dateOfBirth: string;
  personIdentifier: string;
  levelOfAssurance: string;
  issuer: string;
}

const LOA_ORDER = ['low', 'substantial', 'high'].map((l) => `http://eidas.europa.eu/LoA/${l}`);
const NP = 'http://eidas.europa.eu/attributes/naturalperson/';
const SESSION_COOKIE = 'sp_session';

/** A refusal of the app's own checks (after node-saml accepted the Response). */
export class EidasRuleError extends Error {
  readonly rule: string;
  constructor(rule: string, message: string) {
    super(message);
    this.rule = rule;
  }
}

type ValidatedProfile = NonNullable<Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile']>;

const attrOf = (xml: string, element: string, attribute: string) =>
  new RegExp(`<(?:\\w+:)?${element}\\b[^>]*\\s${attribute}="([^"]*)"`).exec(xml)?.[1];
const textOf = (xml: string, element: string) => new RegExp(`<(?:\\w+:)?${element}\\b[^>]*>([^<]*)<`).exec(xml)?.[1];

/**
 * The eIDAS checks node-saml leaves to the application, on what node-saml validated (the signed Response and the
 * decrypted, signed assertion it returns).
 */
export function checkEidasRules(
  profile: ValidatedProfile,
  expected: { acs: string; idpEntityId: string; minimumLoa: string },
  consumed: Set<string>,
): void {
  const response = profile.getSamlResponseXml?.() ?? '';
  const assertion = profile.getAssertionXml?.() ?? '';
  // node-saml returns the assertion of a Response whose status is not Success (S19): the status is checked here.
  const status = attrOf(response, 'StatusCode', 'Value');
  if (status !== 'urn:oasis:names:tc:SAML:2.0:status:Success')
    throw new EidasRuleError('S19', `the Response's status is ${status ?? '(none)'}, not Success`);
  // Exactly one assertion (S1–S8): node-saml consumes the signed one and ignores an evil copy hidden elsewhere
  // (XSW7, in samlp:Extensions) — a Response that carries one is refused, not half-read.
  const assertions = (response.match(/<(?:\w+:)?(?:Encrypted)?Assertion\b/g) ?? []).length;
  if (assertions !== 1)
    throw new EidasRuleError('S7', `the Response carries ${assertions} assertions, not exactly one`);
  const destination = attrOf(response, 'Response', 'Destination');
  if (destination !== expected.acs)
    throw new EidasRuleError('S14', `Destination ${destination ?? '(none)'} is not this ACS ${expected.acs}`);
  const recipient = attrOf(assertion, 'SubjectConfirmationData', 'Recipient');
  if (recipient !== expected.acs)
    throw new EidasRuleError('S14', `Recipient ${recipient ?? '(none)'} is not this ACS ${expected.acs}`);
  if (profile.issuer !== expected.idpEntityId || textOf(assertion, 'Issuer')?.trim() !== expected.idpEntityId)
    throw new EidasRuleError('S17', `Issuer ${profile.issuer} is not the IdP ${expected.idpEntityId}`);
  const loa = textOf(assertion, 'AuthnContextClassRef')?.trim() ?? '';
  if (LOA_ORDER.indexOf(loa) < LOA_ORDER.indexOf(expected.minimumLoa) || !LOA_ORDER.includes(loa))
    throw new EidasRuleError('S18', `level of assurance ${loa || '(none)'} is below ${expected.minimumLoa}`);
  const id = attrOf(assertion, 'Assertion', 'ID') ?? '';
  if (!id || consumed.has(id)) throw new EidasRuleError('S12', `assertion ${id || '(no ID)'} was already consumed`);
  consumed.add(id);
}

export function createServiceProvider(options: ServiceProviderOptions): Hono {
  const app = new Hono();
  const minimumLoa = options.minimumLoa ?? (LOA_ORDER[1] as string);
  const sessions = new Map<string, SamlPerson>();
  /** Assertion IDs consumed (an eIDAS assertion lives minutes: a real SP keeps them until NotOnOrAfter). */
  const consumed = new Set<string>();
  const byOrigin = new Map<string, SAML>();
  const acsOf = (requestUrl: string) => `${options.baseUrl ?? new URL(requestUrl).origin}/acs`;
  const samlFor = (requestUrl: string) => {
    const acs = acsOf(requestUrl);
    let saml = byOrigin.get(acs);
    if (!saml) {
      const config: SamlConfig = {
        entryPoint: options.idpSsoUrl,
        issuer: options.entityId,
        callbackUrl: acs,
        idpCert: options.idpCert,
        idpIssuer: options.idpEntityId,
        audience: options.entityId,
        privateKey: options.privateKeyPem,
        decryptionPvk: options.privateKeyPem,
        signatureAlgorithm: 'sha256',
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: true,
        identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        racComparison: 'minimum',
        authnContext: [minimumLoa],
        validateInResponseTo: ValidateInResponseTo.always,
      };
      saml = new SAML(config);
      byOrigin.set(acs, saml);
    }
    return saml;
  };

  app.get('/', (c) => {
    const person = sessions.get(getCookie(c, SESSION_COOKIE) ?? '');
    return c.html(person ? personPage(person) : page('Welcome', '<p><a href="/login">Log in with your eID</a></p>'));
  });

  app.get('/login', async (c) => {
    const url = await samlFor(c.req.url).getAuthorizeUrlAsync(c.req.query('RelayState') ?? '', undefined, {});
    return c.redirect(url, 302);
  });

  app.post('/acs', async (c) => {
    const form = Object.fromEntries(
      Object.entries(await c.req.parseBody()).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    try {
      const { profile } = await samlFor(c.req.url).validatePostResponseAsync(form);
      if (!profile) throw new Error('node-saml returned no profile');
      checkEidasRules(profile, { acs: acsOf(c.req.url), idpEntityId: options.idpEntityId, minimumLoa }, consumed);
      const session = randomBytes(16).toString('base64url');
      sessions.set(session, personOf(profile));
      setCookie(c, SESSION_COOKIE, session, { httpOnly: true, sameSite: 'Lax', path: '/' });
      return c.redirect('/', 303);
    } catch (e) {
      const err = e as Error & { rule?: string };
      return c.html(
        page('Login failed', `<p data-testid="error">${esc(`${err.rule ? `${err.rule}: ` : ''}${err.message}`)}</p>`),
        400,
      );
    }
  });

  /** The logged-in person as JSON. */
  app.get('/me', (c) => {
    const person = sessions.get(getCookie(c, SESSION_COOKIE) ?? '');
    return person ? c.json(person) : c.json({ error: 'not logged in' }, 401);
  });

  return app;
}

function personOf(profile: ValidatedProfile): SamlPerson {
  const text = (name: string) => {
    const v = profile[`${NP}${name}`];
    return typeof v === 'string' ? v : '';
  };
  return {
    nameId: profile.nameID,
    familyName: text('CurrentFamilyName'),
    givenName: text('CurrentGivenName'),
    dateOfBirth: text('DateOfBirth'),
    personIdentifier: text('PersonIdentifier'),
    levelOfAssurance: textOf(profile.getAssertionXml?.() ?? '', 'AuthnContextClassRef')?.trim() ?? '',
    issuer: profile.issuer,
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

function personPage(p: SamlPerson): string {
  const rows: [string, string][] = [
    ['Family name', p.familyName],
    ['Given name', p.givenName],
    ['Date of birth', p.dateOfBirth],
    ['Person identifier', p.personIdentifier],
    ['Level of assurance', p.levelOfAssurance],
    ['Identified by', p.issuer],
  ];
  return page(
    'You are logged in',
    `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`,
  );
}
