import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { publishLargeAdaptor, startRegistry, type LocalRegistry } from '../src/index.js';

const run = promisify(execFile);

let registry: LocalRegistry;
let spec: string;
let prefix: string | undefined;

test.before(async () => {
  registry = await startRegistry({ publishFixtures: false });
  spec = await publishLargeAdaptor(registry.url);
});

test.after.always(async () => {
  await registry?.stop();
  if (prefix !== undefined) await rm(prefix, { recursive: true, force: true });
});

const packument = async (name: string): Promise<Record<string, any>> =>
  (await fetch(new URL(encodeURIComponent(name), registry.url))).json() as Promise<Record<string, any>>;

test('the large adaptor installs as thousands of files, and loads', async (t) => {
  t.is(spec, '@fleet-fixtures/language-large@1.0.0');
  prefix = await mkdtemp(join(tmpdir(), 'large-fixture-test-'));
  await run('npm', ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', spec], {
    env: { ...process.env, ...registry.env },
  });
  const folder = join(prefix, 'lib/node_modules/@fleet-fixtures/language-large');
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  t.true(entries.filter((entry) => entry.isFile()).length >= 5000);

  const adaptor = await import(pathToFileURL(join(folder, 'index.js')).href);
  t.is(adaptor.name, '@fleet-fixtures/language-large');
  t.is(adaptor.version, '1.0.0');
  t.deepEqual(
    Object.values(adaptor.dependencies).map((dep: any) => `${dep.name}@${dep.version}`),
    Array.from({ length: 16 }, (_, index) => `@fleet-fixtures/large-dep-${index}@1.0.0`),
  );
  t.deepEqual(adaptor.fn((state: object) => ({ ...state, seen: true }))({ data: {} }), { data: {}, seen: true });
  t.deepEqual(adaptor.setData('b', 2)({ data: { a: 1 }, references: [] }), { data: { a: 1, b: 2 }, references: [] });
});

test('a second version reuses the dependencies', async (t) => {
  const dep = await packument('@fleet-fixtures/large-dep-0');
  t.is(await publishLargeAdaptor(registry.url, { version: '1.1.0' }), '@fleet-fixtures/language-large@1.1.0');
  // Unchanged down to its modification time: not published again.
  t.deepEqual(await packument('@fleet-fixtures/large-dep-0'), dep);
  const adaptor = await packument('@fleet-fixtures/language-large');
  t.deepEqual(Object.keys(adaptor.versions), ['1.0.0', '1.1.0']);
  t.deepEqual(adaptor.versions['1.1.0'].dependencies, adaptor.versions['1.0.0'].dependencies);
});
