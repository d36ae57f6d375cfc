import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  registry: Registry;
}

export interface HttpServer {
  /** e.g. http://127.0.0.1:2222 */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The worker's HTTP face for operators: `GET /` and `GET /livez` answer 200
 * while the process is alive; `GET /metrics` is the Prometheus text of the registry.
 */
export function startHttpServer({ port, registry }: HttpServerOptions): Promise<HttpServer> {
  const server = createServer((request, response) => {
    route(request, response, registry).catch((error: Error) => send(response, 500, 'text/plain', `${error.message}\n`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${bound}`,
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

async function route(request: IncomingMessage, response: ServerResponse, registry: Registry): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  const known = pathname === '/' || pathname === '/livez' || pathname === '/metrics';
  if (!known) return send(response, 404, 'text/plain', 'Not found\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'Use GET\n');
  if (pathname === '/metrics') return send(response, 200, registry.contentType, await registry.metrics());
  send(response, 200, 'text/plain', 'ok\n');
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
