import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Variables that make npm use only this registry, with a cache of its own. The user's and
 * the global npmrc are swapped for empty files, as they could map a scope to another
 * registry or turn off install scripts.
 */
export const npmEnv = async (registryUrl: string, dir: string): Promise<Record<string, string>> => {
  // Two files: npm refuses to load one file as both user and global config.
  const userconfig = join(dir, 'user.npmrc');
  const globalconfig = join(dir, 'global.npmrc');
  await Promise.all([writeFile(userconfig, ''), writeFile(globalconfig, '')]);
  return {
    npm_config_registry: registryUrl,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_userconfig: userconfig,
    npm_config_globalconfig: globalconfig,
    // A proxy from the environment must not catch requests to this registry.
    npm_config_noproxy: `${new URL(registryUrl).hostname},127.0.0.1,localhost`,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
};
