import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Whether the worker can take runs now, and why (not). */
export interface Readiness {
  ready: boolean;
  reason: string;
}

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The interface to listen on; undefined: every interface. */
  host?: string | undefined;
  registry: Registry;
  readiness: () => Readiness;
}

export interface HttpServer {
  /** e.g. http://127.0.0.1:2222: where a local client reaches it. */
  readonly url: string;
  /** The address it is bound to, as the system reports it, e.g. http://[::]:2222. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * The worker's HTTP face for operators: `GET /` and `GET /livez` answer 200
 * while the process is alive; `GET /readyz` answers 200 only while the worker
 * can take runs, 503 with the reason otherwise; `GET /metrics` is the
 * Prometheus text of the registry.
 */
export function startHttpServer({ port, host, registry, readiness }: HttpServerOptions): Promise<HttpServer> {
  const server = createServer((request, response) => {
    route(request, response, registry, readiness).catch((error: Error) => send(response, 500, 'text/plain', `${error.message}\n`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: bound, address, family } = server.address() as AddressInfo;
      const local = host === undefined || address === '::' || address === '0.0.0.0' ? '127.0.0.1' : address;
      resolve({
        url: `http://${hostPart(local, family)}:${bound}`,
        address: `http://${hostPart(address, family)}:${bound}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // A scraper's keep-alive connection would hold close() open.
            server.closeAllConnections();
          }),
      });
    });
  });
}

const hostPart = (address: string, family: string): string => (family === 'IPv6' && address.includes(':') ? `[${address}]` : address);

const PATHS = new Set(['/', '/livez', '/readyz', '/metrics']);

async function route(request: IncomingMessage, response: ServerResponse, registry: Registry, readiness: () => Readiness): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  if (!PATHS.has(pathname)) return send(response, 404, 'text/plain', 'Not found\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'Use GET\n');
  if (pathname === '/metrics') return send(response, 200, registry.contentType, await registry.metrics());
  if (pathname === '/readyz') {
    const { ready, reason } = readiness();
    return send(response, ready ? 200 : 503, 'text/plain', `${ready ? 'ready' : 'not ready'}: ${reason}\n`);
  }
  send(response, 200, 'text/plain', 'ok\n');
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
