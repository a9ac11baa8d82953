import { serve } from '@hono/node-server';
import { createRelyingParty } from './app.ts';

/**
 * Runs the relying party: `KAKEHASHI_ISSUER=http://127.0.0.1:7002 node src/server.ts`, then open
 * http://127.0.0.1:3000/ (with `kakehashi start` running). The demo client is Kakehashi's test-only relying party,
 * registered at every node for any loopback redirect URI.
 */
const port = Number(process.env.PORT ?? 3000);
const app = createRelyingParty({
  issuer: process.env.KAKEHASHI_ISSUER ?? 'http://127.0.0.1:7002',
  clientId: process.env.CLIENT_ID ?? 'kakehashi-demo-rp',
  clientSecret: process.env.CLIENT_SECRET ?? 'kakehashi-demo-secret',
  ...(process.env.MINIMUM_LOA ? { minimumLoa: process.env.MINIMUM_LOA } : {}),
});
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`relying party on http://127.0.0.1:${info.port}/\n`);
});
