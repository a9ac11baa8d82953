import net from 'node:net';
import type { HttpHandler } from 'msw';
import { setupServer } from 'msw/node';

/** msw intercepting this process's requests with `handlers`; any other request is an error (as it should be in tests). */
export function interceptWith(...handlers: HttpHandler[]): ReturnType<typeof setupServer> {
  const server = setupServer(...handlers);
  server.listen({ onUnhandledFrame: 'error' });
  return server;
}

/** Records any attempt to open a listening socket from now on (`net.Server#listen`: every TCP/pipe server of Node). */
export function watchListeningSockets(): { attempts: string[]; listening(): string[]; restore(): void } {
  const attempts: string[] = [];
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    attempts.push(new Error('listening socket').stack ?? 'listen');
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof original;
  return {
    attempts,
    listening: () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'PipeServerWrap'),
    restore: () => {
      net.Server.prototype.listen = original;
    },
  };
}
