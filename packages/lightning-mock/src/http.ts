import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { CollectionStore } from './collections.js';
import type { DevApi } from './dev-api.js';
import type { RunTokens } from './run-token.js';
import { InvalidPlanError } from './errors.js';
import type { Logger } from '@fleet/runtime';

const MAX_BODY_CHARS = 10 * 1024 * 1024;

const COLLECTIONS_PREFIX = '/collections/';

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An HTTP failure with the status to answer it with. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: string[],
  ) {
    super(message);
  }
}

/**
 * The dev API over HTTP:
 *   GET  /               health
 *   POST /api/runs       {plan, dataclip?, credentials?} → 201 {id}
 *   GET  /api/runs       [{id, status, reason, ...}]
 *   GET  /api/runs/:id   one run with its events and logs
 * and Lightning's collections API, for jobs (see collections.ts):
 *   /collections/:name[/:key]
 */
export function createHttpHandler(api: DevApi, collections: { store: CollectionStore; runTokens: RunTokens }, logger: Logger): RequestListener {
  async function route(request: IncomingMessage): Promise<[number, unknown]> {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (pathname.startsWith(COLLECTIONS_PREFIX)) {
      return collections.store.serve(request, pathname.slice(COLLECTIONS_PREFIX.length), () => readJson(request), collections.runTokens);
    }
    if (pathname === '/') {
      allow(method, 'GET');
      return [200, { status: 'ok' }];
    }
    if (pathname === '/api/runs') {
      allow(method, 'GET', 'POST');
      return method === 'POST' ? [201, { id: enqueue(await readJson(request)) }] : [200, api.listRuns()];
    }
    const match = /^\/api\/runs\/([^/]+)$/.exec(pathname);
    if (match) {
      allow(method, 'GET');
      const runId = decodeURIComponent(match[1]!);
      const run = api.getRun(runId);
      if (!run) throw new HttpError(404, `No run with id ${runId}`);
      return [200, run];
    }
    throw new HttpError(404, `Nothing at ${pathname}`);
  }

  function enqueue(body: unknown): string {
    if (!isPlainObject(body) || body.plan === undefined) throw new HttpError(400, 'Expected a JSON object {plan, dataclip?, credentials?}');
    if (body.credentials !== undefined && !isPlainObject(body.credentials)) {
      throw new HttpError(400, 'credentials must be an object of credential bodies by id');
    }
    try {
      return api.enqueueRun(body.plan, { dataclip: body.dataclip, credentials: body.credentials });
    } catch (error) {
      if (error instanceof InvalidPlanError) throw new HttpError(400, error.message, error.problems);
      throw error;
    }
  }

  return (request, response) => {
    route(request)
      .then(([status, body]) => send(response, status, body))
      .catch((error: unknown) => {
        if (error instanceof HttpError) return send(response, error.status, { error: error.message, problems: error.problems });
        logger.error(`${request.method} ${request.url} failed: ${(error as Error).stack ?? String(error)}`);
        send(response, 500, { error: (error as Error).message });
      });
  };
}

function allow(method: string, ...allowed: string[]): void {
  if (!allowed.includes(method)) throw new HttpError(405, `${method} not allowed here; use ${allowed.join(' or ')}`);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  request.setEncoding('utf8');
  let text = '';
  for await (const chunk of request as AsyncIterable<string>) {
    text += chunk;
    if (text.length > MAX_BODY_CHARS) throw new HttpError(413, `Body over ${MAX_BODY_CHARS} characters`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `Body is not valid JSON: ${(error as Error).message}`);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
