import { pack } from './pack.js';

export interface Manifest {
  name: string;
  version: string;
  publishConfig?: { tag?: string };
}

/**
 * Publishes a package directory the way `npm publish` does, in one PUT of the packument
 * with the tarball attached, without spawning npm. Anonymous: the registry lets anyone publish.
 */
export const publish = async (registryUrl: string, dir: string, manifest: Manifest): Promise<void> => {
  const { name, version } = manifest;
  const { data, shasum, integrity } = await pack(dir);
  const unscopedName = name.slice(name.lastIndexOf('/') + 1);
  const body = {
    _id: name,
    name,
    'dist-tags': { [manifest.publishConfig?.tag ?? 'latest']: version },
    versions: {
      [version]: {
        ...manifest,
        _id: `${name}@${version}`,
        dist: { shasum, integrity, tarball: new URL(`${name}/-/${unscopedName}-${version}.tgz`, registryUrl).href },
      },
    },
    _attachments: {
      [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: Buffer.from(data).toString('base64'), length: data.length },
    },
  };
  const response = await fetch(new URL(encodeURIComponent(name), registryUrl), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`publishing ${name}@${version} failed: ${response.status} ${await response.text()}`);
  }
};
