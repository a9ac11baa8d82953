/** What one fuzz input did to the federation. */
export type Outcome =
  /** 2xx or 3xx: handled (a verdict, a refusal in the protocol's own answer, a redirect). */
  | 'ok-2xx-3xx'
  /** 4xx as problem+json or the protocol's own error dialect. */
  | 'ok-4xx'
  /**
   * A SOAP 1.2 Fault whose status the SOAP HTTP binding fixes at 500 for a message, not the server, at fault:
   * env:MustUnderstand, env:VersionMismatch (SOAP 1.2 Part 2 §7.5.1.2). Counted apart; a Receiver fault is a 5xx.
   */
  | 'soap-fault-5xx'
  /** Failures: */
  | '5xx'
  | 'non-problem'
  | 'hang'
  | 'crash';

export const FAILURES: readonly Outcome[] = ['5xx', 'non-problem', 'hang', 'crash'];

/**
 * Classifies an answer: any 5xx is a failure, and so is a 4xx in none of the dialects a client can read — an RFC 9457
 * problem, an OAuth error (RFC 6749 §5.2), a SAML Response with its status, an ebMS error signal, an ETSI report.
 * @see https://www.rfc-editor.org/rfc/rfc9457, https://www.rfc-editor.org/rfc/rfc6749#section-5.2,
 *   https://www.w3.org/TR/soap12-part2/#http-reqbindwaitstate (SOAP Fault codes → HTTP status)
 */
export function classify(status: number, contentType: string, body: string): Outcome {
  if (status === 500 && /<[\w.-]*:?Value>[\w.-]*:?(MustUnderstand|VersionMismatch)<\//.test(body))
    return 'soap-fault-5xx';
  if (status >= 500) return '5xx';
  if (status < 400) return 'ok-2xx-3xx';
  const type = contentType.toLowerCase();
  if (type.startsWith('application/problem+json'))
    return isJsonObject(body, (o) => typeof o.title === 'string' || typeof o.type === 'string')
      ? 'ok-4xx'
      : 'non-problem';
  if (type.startsWith('application/json'))
    return isJsonObject(body, (o) => typeof o.error === 'string' || typeof o.indication === 'string')
      ? 'ok-4xx'
      : 'non-problem';
  // ebMS error signal, SOAP 1.2 Fault (with its ebMS error code), SAML status.
  if (type.includes('xml') && /<[\w.-]*:?(Error|SignalMessage|Fault|Status)[\s>/]/.test(body)) return 'ok-4xx';
  if (type.startsWith('text/html') && /name="SAMLResponse"/.test(body)) return 'ok-4xx';
  // A request over the header or body limit, refused by the HTTP server before any route: 431/413 with no body.
  if ((status === 431 || status === 413) && body === '') return 'ok-4xx';
  return 'non-problem';
}

function isJsonObject(body: string, test: (o: Record<string, unknown>) => boolean): boolean {
  try {
    const o = JSON.parse(body) as unknown;
    return o !== null && typeof o === 'object' && !Array.isArray(o) && test(o as Record<string, unknown>);
  } catch {
    return false;
  }
}
