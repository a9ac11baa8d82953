import { serve } from '@hono/node-server';
import { createServiceProvider } from './app.ts';

/**
 * Runs the service provider: `KAKEHASHI_NODE=http://127.0.0.1:7002 node src/server.ts`, then open
 * http://127.0.0.1:3002/ (with `kakehashi start` running). It is Kakehashi's test-only demo SP (`kakehashi-demo-sp`,
 * any loopback ACS): the IdP's certificate and the demo SP's published test key are read from the node at start.
 */
const node = (process.env.KAKEHASHI_NODE ?? 'http://127.0.0.1:7002').replace(/\/+$/, '');
const metadata = await (await fetch(`${node}/saml/idp/metadata`)).text();
const idpCert = /<md:KeyDescriptor use="signing">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(metadata)?.[1];
if (!idpCert) throw new Error(`no signing certificate in ${node}/saml/idp/metadata`);
const key = (await (await fetch(`${node}/saml/demo-sp/key`)).json()) as { entityId: string; privateKeyPem: string };
const app = createServiceProvider({
  idpSsoUrl: `${node}/saml/idp/sso`,
  idpEntityId: `${node}/saml/idp/metadata`,
  idpCert: idpCert.replace(/\s+/g, ''),
  entityId: key.entityId,
  privateKeyPem: key.privateKeyPem,
  ...(process.env.MINIMUM_LOA ? { minimumLoa: process.env.MINIMUM_LOA } : {}),
});
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3002), hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`service provider on http://127.0.0.1:${info.port}/\n`);
});
