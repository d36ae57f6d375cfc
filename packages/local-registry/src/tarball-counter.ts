import type { IncomingMessage, Server } from 'node:http';

export interface TarballCounter {
  count(name?: string): number;
}

/** Counts tarball GETs per package name, e.g. `/@scope/pkg/-/pkg-1.0.0.tgz` counts for `@scope/pkg`. */
export const countTarballRequests = (server: Server): TarballCounter => {
  const counts = new Map<string, number>();
  server.on('request', (request: IncomingMessage) => {
    const name = tarballPackageName(request);
    if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  return {
    count: (name) =>
      name === undefined ? [...counts.values()].reduce((sum, n) => sum + n, 0) : (counts.get(name) ?? 0),
  };
};

const tarballPackageName = ({ method, url }: IncomingMessage): string | undefined => {
  if (method !== 'GET' || url === undefined) return undefined;
  // Clients may send a scoped name as `@scope%2fpkg`.
  const path = decodeURIComponent(new URL(url, 'http://registry').pathname);
  const separator = path.indexOf('/-/');
  if (!path.endsWith('.tgz') || separator === -1) return undefined;
  return path.slice(1, separator);
};
