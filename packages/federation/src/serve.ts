import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { FetchHandler } from './in-process-fetch.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port with the Node adapter; resolves once the socket is bound. */
export function listen(app: FetchHandler, host: string, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch.bind(app), hostname: host, port }, (info: AddressInfo) => {
      const h = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${h}:${info.port}`,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on ${host} is already in use: stop the other process, or start on other ports with --port (the nodes use the ports after it)`,
            )
          : e,
      ),
    );
  });
}
