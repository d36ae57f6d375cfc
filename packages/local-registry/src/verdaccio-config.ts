/**
 * The part of verdaccio's config this package sets. Verdaccio ships no usable types
 * for it (its `ConfigYaml` comes from a package it does not depend on).
 */
export interface VerdaccioConfig {
  self_path: string;
  storage: string;
  uplinks: Record<string, never>;
  packages: Record<string, { access: string; publish: string }>;
  auth: null;
  web: { enable: boolean };
  log: { type: 'stdout'; format: 'json'; level: 'error' };
}

/** An offline registry that anyone may read from and publish to. */
export const offlineConfig = (storage: string): VerdaccioConfig => ({
  // Verdaccio resolves relative paths against self_path; ours are absolute, but it must be set.
  self_path: storage,
  storage,
  uplinks: {},
  packages: { '**': { access: '$all', publish: '$all' } },
  // null, not absent: absent makes verdaccio load htpasswd, which writes a file and wants logins.
  auth: null,
  // The web UI costs start-up time and nothing here reads it.
  web: { enable: false },
  // json, not pretty: pretty logging starts a worker thread outside production.
  log: { type: 'stdout', format: 'json', level: 'error' },
});
