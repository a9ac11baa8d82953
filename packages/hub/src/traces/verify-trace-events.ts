import { KakehashiError, TRACE_EVENTS_JWS_TYPE, traceEventsIssuer, x5cToPem } from '@kakehashi/core';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import type { RegistryStore } from '../registry/registry-store.ts';
import type { HubTrust } from '../trust/hub-trust.ts';

const ALLOWED_ALGS = ['RS256', 'PS256'];

/** What verifying a node's signed trace events needs: the registry (its certificates) and the trust fabric. */
export interface TraceEventsVerification {
  registry: RegistryStore;
  trust: Pick<HubTrust, 'validateCertificate'>;
  now: () => Date;
}

/**
 * Verifies a batch of trace events a node signed (`TRACE_EVENTS_JWS_TYPE`): `iss` names a registered node, the
 * signature verifies with the key of the certificate that node registered with, which still validates against
 * the trust fabric (not revoked, not expired), and every event is that node's own. Returns the events, not yet
 * checked against the event schema. Unverifiable: 401 `unauthorized`; events of someone else: 403 `forbidden`.
 */
export async function verifyTraceEvents(jws: string, ctx: TraceEventsVerification): Promise<unknown[]> {
  const refuse = (reason: string): never => {
    throw new KakehashiError('unauthorized', `Trace events not accepted: ${reason}`, { rule: 'trace-signer' });
  };
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claimed: { iss?: unknown };
  try {
    header = decodeProtectedHeader(jws);
    claimed = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
  } catch {
    return refuse('signedEvents is not a compact JWS with a JSON payload.');
  }
  if (header.typ !== TRACE_EVENTS_JWS_TYPE) refuse(`the JWS typ must be ${TRACE_EVENTS_JWS_TYPE}.`);
  if (!header.alg || !ALLOWED_ALGS.includes(header.alg)) refuse(`sign with ${ALLOWED_ALGS.join(' or ')}.`);
  const country = typeof claimed.iss === 'string' ? /^node:([A-Z]{2})$/.exec(claimed.iss)?.[1] : undefined;
  if (!country) return refuse('iss must name the signing node, "node:<CC>".');
  const registered = ctx.registry.signedMetadata(country);
  if (!registered) return refuse(`${country} is not a registered node.`);
  const x5c = decodeProtectedHeader(registered).x5c ?? [];
  const pems = x5c.map((c) => x5cToPem(c)).filter((p): p is string => p !== undefined);
  const [leaf, ...chain] = pems;
  if (!leaf) return refuse(`no certificate is registered for ${country}.`);
  const verdict = ctx.trust.validateCertificate(leaf, chain, { at: ctx.now(), usage: ['digitalSignature'] });
  if (!verdict.valid)
    refuse(`the certificate ${country} registered no longer validates (${verdict.failure?.code ?? 'unknown'}).`);

  let payload: Uint8Array;
  try {
    payload = (await compactVerify(jws, await importX509(leaf, header.alg as string), { algorithms: ALLOWED_ALGS }))
      .payload;
  } catch {
    return refuse(`the signature does not verify with the certificate ${country} registered.`);
  }
  const body = JSON.parse(new TextDecoder().decode(payload)) as { iss?: unknown; events?: unknown };
  if (body.iss !== traceEventsIssuer(country) || !Array.isArray(body.events))
    return refuse('the signed payload must be { iss, events: [...] }.');
  const foreign = body.events.find((e) => {
    const ev = e as { component?: unknown; country?: unknown } | null;
    return ev?.component !== 'node' || ev.country !== country;
  }) as { component?: unknown; country?: unknown } | undefined;
  if (foreign !== undefined)
    throw new KakehashiError(
      'forbidden',
      `A node reports its own hops only: node ${country} signed an event of ${String(foreign?.component).slice(0, 20)}${foreign?.country ? ` ${String(foreign.country).slice(0, 4)}` : ''}.`,
      { rule: 'trace-attribution' },
    );
  return body.events;
}
