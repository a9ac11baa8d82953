import { randomBytes } from 'node:crypto';
import { SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/**
 * WEAKENED ON PURPOSE — a copy of `examples/saml-sp` that trusts @node-saml/node-saml alone (marked `WEAKENED`),
 * for `kakehashi attack run --target saml-sp` to find. Never copy this one.
 *
 * A small SAML service provider, as an integrator would write one: "Log in with your eID" at a Kakehashi node's
 * IdP with @node-saml/node-saml (a signed AuthnRequest over HTTP-Redirect, the Response posted to `/acs`, both
 * signatures required, the assertion decrypted), then a page with the person's eIDAS minimum data set.
 *
 * node-saml validates the signatures, InResponseTo, the audience and the time conditions — and this copy stops
 * there: what node-saml does not check (status, Destination, Issuer, level of assurance, replay) goes unchecked.
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

type ValidatedProfile = NonNullable<Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile']>;

const textOf = (xml: string, element: string) => new RegExp(`<(?:\\w+:)?${element}\\b[^>]*>([^<]*)<`).exec(xml)?.[1];

export function createServiceProvider(options: ServiceProviderOptions): Hono {
  const app = new Hono();
  const minimumLoa = options.minimumLoa ?? (LOA_ORDER[1] as string);
  const sessions = new Map<string, SamlPerson>();
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
      // WEAKENED: node-saml's word is taken as final — no check of the number of assertions (S1–S8), the
      // Response's status (S19), Destination and
      // Recipient (S14), Issuer (S17), the level of assurance (S18), or a second use of the assertion (S12).
      const session = randomBytes(16).toString('base64url');
      sessions.set(session, personOf(profile));
      setCookie(c, SESSION_COOKIE, session, { httpOnly: true, sameSite: 'Lax', path: '/' });
      return c.redirect('/', 303);
    } catch (e) {
      const err = e as Error;
      return c.html(page('Login failed', `<p data-testid="error">${esc(err.message)}</p>`), 400);
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
