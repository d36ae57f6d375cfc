import type { ExecutionContext } from 'ava';
import { createLightningMock, type LightningMock, type LightningMockOptions } from '../../src/index.js';
import type { ClaimedRun } from '../../src/types.js';
import { PhoenixTestClient, type ConnectOptions } from './phoenix-client.js';

/** A mock on a free port, closed when the test ends. */
export async function startMock(t: ExecutionContext, options: LightningMockOptions = {}): Promise<LightningMock> {
  const mock = await createLightningMock({ port: 0, ...options });
  t.teardown(() => mock.close());
  return mock;
}

/** A connected worker-like client, closed when the test ends. Without a secret any token is accepted. */
export async function connect(t: ExecutionContext, mock: LightningMock, options: ConnectOptions = {}): Promise<PhoenixTestClient> {
  const client = await PhoenixTestClient.connect(mock.url, { params: { token: 'x.y.z' }, ...options });
  t.teardown(() => client.terminate());
  return client;
}

/** Joins the queue and claims exactly one run, as a worker with one free slot does. */
export async function claimOne(client: PhoenixTestClient): Promise<ClaimedRun> {
  const joined = await client.join('worker:queue');
  if (joined.status !== 'ok') throw new Error(`Queue join refused: ${JSON.stringify(joined.response)}`);
  const reply = await client.push('worker:queue', 'claim', { demand: 1, worker_name: 'test-worker', queues: ['manual', '*'] });
  const { runs } = reply.response as { runs: ClaimedRun[] };
  if (runs.length !== 1) throw new Error(`Expected one claimed run, got ${JSON.stringify(reply)}`);
  return runs[0]!;
}

/** Claims one run and joins its channel with the claim's token. */
export async function claimAndJoin(client: PhoenixTestClient): Promise<{ id: string; topic: string }> {
  const { id, token } = await claimOne(client);
  const topic = `run:${id}`;
  const reply = await client.join(topic, { token });
  if (reply.status !== 'ok') throw new Error(`Join of ${topic} refused: ${JSON.stringify(reply.response)}`);
  return { id, topic };
}
