import { KakehashiError } from '@kakehashi/core';
import type { Context } from 'hono';
import '../error-codes.ts';

/**
 * Reads an `application/x-www-form-urlencoded` body (the HTTP-POST binding); another content type is a 415.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.5.4)
 */
export async function readSamlForm(c: Context): Promise<URLSearchParams> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded'))
    throw new KakehashiError(
      'unsupported-media-type',
      'Send the form as application/x-www-form-urlencoded (the HTTP-POST binding).',
      { rule: 'SAML Bindings §3.5.4' },
    );
  return new URLSearchParams(await c.req.text());
}
