import { NS } from '../constants.ts';
import { attr, childElements, fullText } from '../xml/dom.ts';
import { parseSamlXml } from '../xml/parse-saml.ts';

/**
 * A decoded summary of a SAML message for traces (the console shows it): root, ID, InResponseTo, Destination,
 * Issuer, status and whether the assertion is encrypted — never key material, never the whole message.
 */
export function describeResponse(input: string): Record<string, unknown> {
  try {
    const t = input.trim();
    const xml = t.startsWith('<') ? t : Buffer.from(t, 'base64').toString('utf8');
    const root = parseSamlXml(xml).documentElement;
    const issuer = childElements(root, NS.saml, 'Issuer')[0];
    const status = childElements(root, NS.samlp, 'Status')[0];
    const code = status ? childElements(status, NS.samlp, 'StatusCode')[0] : undefined;
    return {
      root: root.localName,
      id: attr(root, 'ID'),
      inResponseTo: attr(root, 'InResponseTo'),
      destination: attr(root, 'Destination'),
      issueInstant: attr(root, 'IssueInstant'),
      issuer: issuer ? fullText(issuer).slice(0, 300) : undefined,
      status: code ? attr(code, 'Value') : undefined,
      encryptedAssertions: childElements(root, NS.saml, 'EncryptedAssertion').length,
      assertions: childElements(root, NS.saml, 'Assertion').length,
    };
  } catch (e) {
    return { undecodable: e instanceof Error ? e.message.slice(0, 200) : 'undecodable' };
  }
}
