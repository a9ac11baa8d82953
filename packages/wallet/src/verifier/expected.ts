import { DcqlQuery } from 'dcql';
import type { ExpectedPresentation } from './verify-presentation.ts';

/**
 * What the verifier expects of the answer to one of its requests: the request's nonce and full client_id (the
 * KB-JWT's aud) and its DCQL query, parsed and validated (the first credential query's id and vct values) — as the
 * response URI builds it. For callers of {@link verifyPresentation} outside the routes (the bench).
 */
export function expectedPresentationOf(request: {
  nonce: string;
  client_id: string;
  dcql_query: unknown;
}): ExpectedPresentation {
  const query = DcqlQuery.parse(request.dcql_query as never);
  DcqlQuery.validate(query);
  const cq = query.credentials[0] as { id: string; meta?: { vct_values?: string[] } };
  return {
    nonce: request.nonce,
    clientId: request.client_id,
    dcql: { query, credentialQueryId: cq.id },
    vctValues: cq.meta?.vct_values ?? ['urn:eudi:pid:1'],
  };
}
