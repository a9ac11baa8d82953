import { loaRank } from '../../loa/loa.ts';
import { NS } from '../constants.ts';
import { attr, childElements, descendants, fullText, parseSamlInstant } from '../xml/dom.ts';
import type { Recorder } from './saml-checks.ts';
import type { ValidateSamlResponseContext } from './validation-context.ts';
import type { ExpectedSamlResponse } from './z-saml-validation.ts';

/**
 * The conditions of the verified assertion, in order: time on the virtual clock with skew (S16), audience (S15),
 * Destination and Recipient (S14), InResponseTo (S13), the LoA at least the requested minimum (S18), and replay
 * (S12: recorded only when everything else passed). Returns the LoA the assertion states. A linear rule list.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf (§2.5 Conditions)
 * @see eIDAS SAML Message Format v1.2 §3.4 (LoA)
 */
export function checkConditions(
  resp: Element,
  assertion: Element,
  scData: Element,
  expected: ExpectedSamlResponse,
  ctx: ValidateSamlResponseContext,
  r: Recorder,
): string {
  const responseInResponseTo = attr(resp, 'InResponseTo');
  // ---- S16: time ---------------------------------------------------------------------------------------------
  const now = ctx.clock.nowMs();
  const skew = ctx.clockSkewSeconds * 1000;
  const conditions = childElements(assertion, NS.saml, 'Conditions')[0];
  if (!conditions) r.fail('time', 'The assertion has no Conditions.', 'saml-malformed', 'structure');
  const cond = conditions as Element;
  const notBefore = parseSamlInstant(attr(cond, 'NotBefore'));
  const notOnOrAfter = parseSamlInstant(attr(cond, 'NotOnOrAfter'));
  const scdNotOnOrAfter = parseSamlInstant(attr(scData, 'NotOnOrAfter'));
  const issued = parseSamlInstant(attr(assertion, 'IssueInstant'));
  if (notOnOrAfter === undefined || scdNotOnOrAfter === undefined || issued === undefined)
    r.fail(
      'time',
      'IssueInstant, Conditions/@NotOnOrAfter and SubjectConfirmationData/@NotOnOrAfter are required UTC instants.',
    );
  if ((notOnOrAfter as number) <= now - skew)
    r.failUnless(
      'lenient.saml.expired',
      'time',
      `Expired: Conditions NotOnOrAfter ${attr(cond, 'NotOnOrAfter')} (skew ${ctx.clockSkewSeconds} s).`,
    );
  if ((scdNotOnOrAfter as number) <= now - skew)
    r.failUnless(
      'lenient.saml.expired',
      'time',
      `Expired: SubjectConfirmationData NotOnOrAfter ${attr(scData, 'NotOnOrAfter')}.`,
    );
  if (notBefore !== undefined && notBefore > now + skew)
    r.failUnless('lenient.saml.expired', 'time', `Not yet valid: NotBefore ${attr(cond, 'NotBefore')}.`);
  if ((issued as number) > now + skew)
    r.failUnless('lenient.saml.expired', 'time', 'The assertion was issued in the future.');
  r.pass(
    'time',
    `Valid for ${Math.round(((notOnOrAfter as number) - now) / 1000)} s more (skew ${ctx.clockSkewSeconds} s).`,
  );

  // ---- S15: audience -----------------------------------------------------------------------------------------
  const restrictions = childElements(cond, NS.saml, 'AudienceRestriction');
  if (restrictions.length === 0) r.fail('audience', 'The assertion has no AudienceRestriction.');
  for (const ar of restrictions) {
    const audiences = childElements(ar, NS.saml, 'Audience').map((a) => fullText(a).trim());
    if (!audiences.includes(expected.audience))
      r.failUnless(
        'lenient.saml.wrong-audience',
        'audience',
        `AudienceRestriction ${JSON.stringify(audiences.map((a) => a.slice(0, 80)))} does not name ${expected.audience}.`,
      );
  }
  r.pass('audience', `Audience ${expected.audience}.`);

  // ---- S14: destination and recipient -------------------------------------------------------------------------
  const destination = attr(resp, 'Destination');
  if (destination !== expected.destination)
    r.failUnless(
      'lenient.saml.wrong-destination',
      'destination',
      `Destination is ${JSON.stringify((destination ?? 'missing').slice(0, 120))}, expected ${expected.destination}.`,
    );
  if (attr(scData, 'Recipient') !== expected.destination)
    r.failUnless(
      'lenient.saml.wrong-destination',
      'destination',
      `Recipient is ${JSON.stringify((attr(scData, 'Recipient') ?? 'missing').slice(0, 120))}, expected ${expected.destination}.`,
    );
  r.pass('destination', `Destination and Recipient are ${expected.destination}.`);

  // ---- S13: InResponseTo ---------------------------------------------------------------------------------------
  if (!responseInResponseTo) r.fail('in-response-to', 'No InResponseTo: unsolicited responses are refused.');
  if (responseInResponseTo !== expected.inResponseTo)
    r.failUnless(
      'lenient.saml.wrong-in-response-to',
      'in-response-to',
      `InResponseTo ${JSON.stringify((responseInResponseTo ?? '').slice(0, 80))} is not the outstanding request ${expected.inResponseTo}.`,
    );
  r.pass('in-response-to', `Answers ${expected.inResponseTo}.`);

  // ---- S18: LoA ---------------------------------------------------------------------------------------------------
  const authn = childElements(assertion, NS.saml, 'AuthnStatement');
  const classRefs = authn
    .flatMap((a) => descendants(a, NS.saml, 'AuthnContextClassRef'))
    .map((e) => fullText(e).trim());
  if (authn.length !== 1 || classRefs.length !== 1)
    r.fail('loa', 'The assertion needs exactly one AuthnStatement with one AuthnContextClassRef.');
  const loa = classRefs[0] as string;
  if (expected.requestedLoa) {
    if (loaRank(loa) === 0)
      r.failUnless(
        'lenient.saml.loa-too-low',
        'loa',
        `AuthnContextClassRef ${JSON.stringify(loa.slice(0, 80))} is not an eIDAS LoA URI.`,
      );
    else if (loaRank(loa) < loaRank(expected.requestedLoa))
      r.failUnless(
        'lenient.saml.loa-too-low',
        'loa',
        `${loa} is below the requested minimum ${expected.requestedLoa} (LoA downgrade).`,
      );
    r.pass('loa', `${loa} meets the minimum ${expected.requestedLoa}.`);
  } else r.skip('loa', `No minimum given (the assertion states ${loa.slice(0, 80)}).`);

  // ---- S12: replay, recorded only when everything else passed -------------------------------------------------
  const assertionId = attr(assertion, 'ID') as string;
  if (ctx.replay.seen(expected.issuer, assertionId))
    r.failUnless(
      'lenient.saml.replayed-assertion',
      'replay',
      `Assertion ${assertionId.slice(0, 80)} was already consumed; it is remembered until it expires.`,
    );
  ctx.replay.remember(expected.issuer, assertionId, Math.ceil(((notOnOrAfter as number) + skew) / 1000));
  r.pass('replay', 'First use; remembered until NotOnOrAfter.');

  return loa;
}
