import net from 'node:net';
import { join } from 'node:path';
import type { HttpHandler } from 'msw';
import { setupServer } from 'msw/node';

/** Trust material shared with the repository's other tests (same seed, same origins): generated once per machine. */
export const TEST_TRUST_CACHE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'node_modules',
  '.cache',
  'kakehashi-test-trust',
);
export const TEST_SEED = 'kakehashi-test';

/**
 * Records every attempt to open a listening socket in this process (`net.Server.prototype.listen`: every TCP and
 * pipe server of Node, `http.createServer` included) from now on, and lists the listening handles Node holds.
 */
export function watchListeningSockets(): { attempts: string[]; listeningHandles(): string[]; restore(): void } {
  const attempts: string[] = [];
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    attempts.push(new Error('a socket was opened for listening').stack ?? 'listen');
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof original;
  return {
    attempts,
    listeningHandles: () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'PipeServerWrap'),
    restore: () => {
      net.Server.prototype.listen = original;
    },
  };
}

/** msw's Node interception with the given handlers, every unhandled request an error (as integrators should run it). */
export function intercept(handlers: HttpHandler[]): ReturnType<typeof setupServer> {
  const server = setupServer(...handlers);
  server.listen({ onUnhandledFrame: 'error' });
  return server;
}
