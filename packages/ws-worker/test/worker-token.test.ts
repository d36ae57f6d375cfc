import test from 'ava';
import { jwtVerify } from 'jose';
import { signWorkerToken } from '../src/util/worker-token.js';

test('the worker token is HS256 over the secret, naming the worker, with no expiry', async (t) => {
  const token = await signWorkerToken('shh', 'worker-7');
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode('shh'), { issuer: 'urn:openfn:worker' });
  t.deepEqual(protectedHeader, { alg: 'HS256' });
  t.is(payload.worker_id, 'worker-7');
  t.is(typeof payload.iat, 'number');
  t.is(payload.exp, undefined);
  await t.throwsAsync(jwtVerify(token, new TextEncoder().encode('wrong')));
});
