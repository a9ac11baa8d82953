import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import type { FetchHandler } from './in-process-fetch.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** A bound socket whose application comes later: until `serve()`, every request is answered 503. */
export interface BoundServer extends RunningServer {
  serve(app: FetchHandler): void;
}

/**
 * Binds host:port with the Node adapter and resolves once the socket is bound, with the real URL (port 0: the
 * port the OS chose). Binding comes before building the component because its URL is part of what it is built
 * with (trust material, metadata, registration); requests that arrive in between get 503 with Retry-After.
 */
export function bind(host: string, port: number): Promise<BoundServer> {
  let app: FetchHandler | undefined;
  const notYet = () =>
    new Response('starting', { status: 503, headers: { 'retry-after': '1', 'content-type': 'text/plain' } });
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: (request: Request) => (app ? app.fetch(request) : notYet()), hostname: host, port },
      (info: AddressInfo) => {
        const h = host.includes(':') ? `[${host}]` : host;
        resolve({
          url: `http://${h}:${info.port}`,
          serve: (handler) => {
            app = handler;
          },
          close: () =>
            new Promise<void>((res) => {
              server.close(() => res());
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    server.on('clientError', answerClientError);
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on ${host} is already in use: stop the other process, or start on other ports with --port (the nodes use the ports after it; --port 0 takes free ports from the OS)`,
            )
          : e,
      ),
    );
  });
}

/**
 * A request Node's HTTP parser refused before any application saw it: headers over the limit get `431` with no
 * body, anything else malformed `400`. The answer goes out with a FIN, and what the client is still sending is
 * read and dropped (bounded: 5 s), so the client reads the status instead of a connection reset — Node's default
 * closes at once, and a client still writing its oversized headers sees ECONNRESET.
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-5
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.on('error', () => socket.destroy());
  socket.setTimeout(5000, () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.resume();
}

/** Listens on host:port with the Node adapter; resolves once the socket is bound. */
export async function listen(app: FetchHandler, host: string, port: number): Promise<RunningServer> {
  const server = await bind(host, port);
  server.serve(app);
  return server;
}

/** Where each component of this process listens, and the URLs of the others. */
export interface ListenPlan {
  host: string;
  /** `--port`: the hub's port, the nodes on the ports after it; 0: every component on a port the OS picks. */
  basePort: number;
  /** The URLs as the configuration gives them (hub at `--hub` or host:port, nodes at host:port+1+i). */
  urls: { hub: string; nodes: Record<string, string> };
  /** Whether the hub runs in this process. */
  hub: boolean;
  /** The countries whose nodes run in this process. */
  nodes: string[];
}

/** The sockets of the components of this process, bound, and the URLs that are now true. */
export interface BoundComponents {
  urls: { hub: string; nodes: Record<string, string> };
  hub?: BoundServer;
  nodes: Map<string, BoundServer>;
  close(): Promise<void>;
}

/**
 * Binds every component's socket before anything is built. With port 0 the OS picks each port (the hub's and
 * each node's), and the URLs returned are the real ones: the ones the components are built and registered with,
 * and the ones the ready events and the banner print. A node of another process on port 0 has no predictable
 * URL, so it is left out of `urls.nodes` (it registers at the hub, where it is found).
 */
export async function bindComponents(plan: ListenPlan): Promise<BoundComponents> {
  const ephemeral = plan.basePort === 0;
  if (ephemeral && !plan.hub && new URL(plan.urls.hub).port === '0')
    throw new Error('--port 0 with --only node:CC needs --hub URL: the hub is on a port the OS chose');
  const bound: BoundServer[] = [];
  const close = () => Promise.all(bound.map((s) => s.close())).then(() => undefined);
  try {
    const portOf = (url: string) => Number(new URL(url).port || plan.basePort);
    let hub: BoundServer | undefined;
    if (plan.hub) {
      hub = await bind(plan.host, portOf(plan.urls.hub));
      bound.push(hub);
    }
    const nodes = new Map<string, BoundServer>();
    for (const cc of plan.nodes) {
      const server = await bind(plan.host, ephemeral ? 0 : portOf(plan.urls.nodes[cc] as string));
      bound.push(server);
      nodes.set(cc, server);
    }
    const nodeUrls = Object.fromEntries(
      Object.entries(plan.urls.nodes).flatMap(([cc, url]): [string, string][] => {
        const server = nodes.get(cc);
        if (server) return [[cc, server.url]];
        return ephemeral ? [] : [[cc, url]];
      }),
    );
    return { urls: { hub: hub?.url ?? plan.urls.hub, nodes: nodeUrls }, ...(hub ? { hub } : {}), nodes, close };
  } catch (e) {
    await close();
    throw e;
  }
}
