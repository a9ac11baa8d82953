import { createRoute, z } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule } from '@kakehashi/core';
import '../error-codes.ts';
import type { ApContext } from '../ap/context.ts';
import type { EdeliveryFaultName } from '../ap/faults.ts';
import { recordHop } from '../ap/record-trace.ts';
import { buildSoapFault } from '../message/build-signal.ts';
import { SOAP_CONTENT_TYPE } from '../mime/multipart.ts';
import { receiveMessage } from './receive-message.ts';

const UNAVAILABLE = 'edelivery.receiver-unavailable' satisfies EdeliveryFaultName;
const Soap = { [SOAP_CONTENT_TYPE]: { schema: z.string().openapi({ description: 'SOAP 1.2 envelope' }) } };

/**
 * The AS4 endpoint `POST /as4` (corner 3 receiving from corner 2): it answers SOAP, never problem+json — a signed
 * Receipt, an eb:Error signal, or a SOAP Fault. The body is read raw (MIME multipart or a bare SOAP envelope) and
 * handed to {@link receiveMessage} as it came; with the fault `edelivery.receiver-unavailable` on, every message gets
 * a 503 SOAP Fault `Receiver`, as in an outage.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/eDelivery+AS4+-+1.15
 */
export function as4Routes(ctx: ApContext): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/as4',
      tags: ['edelivery'],
      summary:
        'AS4 endpoint (ebMS 3.0 push, SOAP 1.2 with attachments): answers a signed Receipt or an ebMS Error signal',
      description:
        'Body: multipart/related; type="application/soap+xml" (SOAP with Attachments) signed and encrypted per the eDelivery AS4 1.15 profile. The answer is SOAP 1.2: a Receipt with non-repudiation information, an eb:Error signal (HTTP 200), or a SOAP Fault (HTTP 400/415/500/503) for requests that are not ebMS messages.',
      request: {
        body: {
          required: true,
          content: {
            'multipart/related': { schema: z.string().openapi({ format: 'binary' }) },
            [SOAP_CONTENT_TYPE]: { schema: z.string() },
          },
        },
      },
      responses: {
        200: { description: 'A signed Receipt or an eb:Error signal', content: Soap },
        400: { description: 'SOAP Fault: not an ebMS message', content: Soap },
        415: { description: 'SOAP Fault: not SOAP with attachments', content: Soap },
        500: { description: 'SOAP Fault: the message could not be processed', content: Soap },
        503: { description: 'SOAP Fault Receiver: the access point is unavailable (fault on)', content: Soap },
      },
    }),
    async (c) => {
      if (ctx.deps.faults.fire(UNAVAILABLE)) {
        // Fault on: an outage. A transient SOAP Fault, so the sender's reception awareness resends later.
        const reason = `The receiving access point is unavailable (fault ${UNAVAILABLE} is on). Retry later.`;
        recordHop(ctx, c.get('trace'), {
          operation: 'edelivery: SOAP fault',
          direction: 'internal',
          status: 503,
          artefact: { type: 'soap:Fault', code: 'Receiver', reason },
          verdict: { valid: false, checks: [reason] },
          faults: [UNAVAILABLE],
        });
        return c.body(buildSoapFault('Receiver', reason), 503, {
          'content-type': `${SOAP_CONTENT_TYPE}; charset=UTF-8`,
        });
      }
      const body = Buffer.from(await c.req.arrayBuffer());
      const res = await receiveMessage(ctx, c.req.header('content-type') ?? '', body, c.get('trace'), c.get('fetch'));
      return c.body(res.body, res.status as 200, { 'content-type': res.contentType });
    },
  );
  return r;
}
