/**
 * An HTTP proxy in front of a fake server that holds the requests a test picks (a hung BIG-IP
 * post): they reach nobody and get no answer until `release()` forwards them or `close()` drops them.
 */
import { createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Resolves when a request is held (at once if one is). */
  held(): Promise<void>;
  /** Forwards the held requests and stops holding. */
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(target: string, hold: (req: IncomingMessage) => boolean): Promise<HoldingProxy> {
  let holding = true;
  const heldRequests: Array<[IncomingMessage, ServerResponse]> = [];
  const waiters: Array<() => void> = [];
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server = createServer((req, res) => {
    if (!holding || !hold(req)) return forward(req, res);
    heldRequests.push([req, res]);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: () => (heldRequests.length > 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    release: () => {
      holding = false;
      for (const [req, res] of heldRequests.splice(0)) forward(req, res);
    },
    close: async () => {
      for (const [, res] of heldRequests.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (a cluster or BIG-IP that is down: connection refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
