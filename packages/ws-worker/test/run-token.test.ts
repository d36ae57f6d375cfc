import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import test from 'ava';
import { SignJWT } from 'jose';
import { RunTokenError } from '../src/errors.js';
import { runTokenVerifier } from '../src/util/run-token.js';
import { testKeys } from './helpers/keys.js';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

const sign = (privateKey: KeyObject, claims: Record<string, unknown>, { issuer = 'Lightning', expiresIn = '2h', alg = 'RS256' } = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg }).setIssuer(issuer).setIssuedAt().setExpirationTime(expiresIn).sign(privateKey);

test("Lightning's token for this run verifies", async (t) => {
  const { publicKey, privateKey } = rsa();
  await t.notThrowsAsync(runTokenVerifier(pem(publicKey))('run-1', await sign(privateKey, { id: 'run-1' })));
});

test('an ed25519 key works too: the algorithm follows the key', async (t) => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  await t.notThrowsAsync(runTokenVerifier(pem(publicKey))('run-1', await sign(privateKey, { id: 'run-1' }, { alg: 'EdDSA' })));
  const { publicPem } = testKeys();
  await t.throwsAsync(runTokenVerifier(publicPem)('run-1', await sign(privateKey, { id: 'run-1' }, { alg: 'EdDSA' })), { instanceOf: RunTokenError });
});

for (const [label, makeToken] of [
  ['signed by another key', async () => sign(rsa().privateKey, { id: 'run-1' })],
  ['from another issuer', async (key: KeyObject) => sign(key, { id: 'run-1' }, { issuer: 'Mallory' })],
  ['expired', async (key: KeyObject) => sign(key, { id: 'run-1' }, { expiresIn: '-1m' })],
  ['for another run', async (key: KeyObject) => sign(key, { id: 'run-2' })],
  ['not a JWT at all', async () => 'x.y.z'],
] as const) {
  test(`a token ${label} is refused with RunTokenError`, async (t) => {
    const { publicKey, privateKey } = rsa();
    const error = await t.throwsAsync(runTokenVerifier(pem(publicKey))('run-1', await makeToken(privateKey)), { instanceOf: RunTokenError });
    t.regex(error?.message ?? '', /^The token of run run-1 failed verification \(.+\); check --lightning-public-key/);
  });
}
