import test from 'ava';
import { maskSecrets, parseConfig } from '../src/index.js';
import { testKeys } from './helpers/keys.js';

const SECRET = 'very-secret-value';
const key = testKeys();

test('masks the secret and the public key, and leaves the rest as it is', (t) => {
  const config = parseConfig(['--secret', SECRET, '--lightning-public-key', key.publicBase64, '--capacity', '3'], {});
  const masked = maskSecrets(config);
  t.is(masked.secret, '***');
  t.is(masked.lightningPublicKey, '***');
  t.is(masked.capacity, 3);
  t.is(masked.repoDir, config.repoDir);
  t.is(config.secret, SECRET, 'the configuration itself is untouched');
  const logged = JSON.stringify(masked);
  t.false(logged.includes(SECRET));
  t.false(logged.includes('PUBLIC KEY'));
});

test('says when the public key is not set', (t) => {
  t.is(maskSecrets(parseConfig([], { WORKER_SECRET: SECRET })).lightningPublicKey, '(not set)');
});

test('shows the whitelist as regex sources, which JSON can carry', (t) => {
  const masked = maskSecrets(parseConfig(['--whitelist', '^@openfn/,^@acme/'], { WORKER_SECRET: SECRET }));
  t.deepEqual(JSON.parse(JSON.stringify(masked)).whitelist, ['/^@openfn\\//', '/^@acme\\//']);
});
