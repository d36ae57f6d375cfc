import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { fixtures, postinstallMarker, startRegistry, type LocalRegistry } from '../src/index.js';

const run = promisify(execFile);

let registry: LocalRegistry;
const prefixes: string[] = [];

test.before(async () => {
  registry = await startRegistry();
});

test.after.always(async () => {
  await registry?.stop();
  await Promise.all(prefixes.map((prefix) => rm(prefix, { recursive: true, force: true })));
});

const npm = (args: string[], cwd = tmpdir()) => run('npm', args, { cwd, env: { ...process.env, ...registry.env } });

/** Installs a spec into a fresh folder and imports it from there, as code in that folder would. */
const installAndImport = async (spec: string): Promise<{ prefix: string; module: Record<string, any> }> => {
  const prefix = await mkdtemp(join(tmpdir(), 'local-registry-test-'));
  prefixes.push(prefix);
  await npm(['install', '--prefix', prefix, spec]);
  const name = spec.slice(0, spec.lastIndexOf('@'));
  const probe = join(prefix, 'probe.mjs');
  await writeFile(probe, `export * as imported from '${name}';\n`);
  const { imported } = await import(pathToFileURL(probe).href);
  return { prefix, module: imported };
};

test('npm sees the fixtures', async (t) => {
  const { stdout } = await npm(['view', '@fleet-fixtures/adaptor-one', 'version']);
  t.is(stdout.trim(), '1.0.0');
});

test('dist-tags follow publishConfig and version order', async (t) => {
  const { stdout } = await npm(['view', 'language-fixture', 'dist-tags', '--json']);
  t.deepEqual(JSON.parse(stdout), { latest: '1.1.0', next: '2.0.0-beta.1' });
});

test('every fixture constant is published from a fixtures/ directory', async (t) => {
  const dirs = await readdir(new URL('../fixtures/', import.meta.url));
  t.is(dirs.length, Object.keys(fixtures).length);
  for (const spec of Object.values(fixtures)) {
    const at = spec.lastIndexOf('@');
    const response = await fetch(new URL(encodeURIComponent(spec.slice(0, at)), registry.url));
    const packument = (await response.json()) as { versions: Record<string, unknown> };
    t.truthy(packument.versions[spec.slice(at + 1)], spec);
  }
});

test('conflicting util-a versions resolve from where each importer sits', async (t) => {
  t.is(registry.tarballRequests('@fleet-fixtures/adaptor-two'), 0);
  const { module } = await installAndImport(fixtures.adaptorTwo);
  t.is(module.version, '1.0.0');
  t.is(module.condition, 'import');
  t.is(module.dependencies['@fleet-fixtures/util-a'].version, '2.0.0');
  const utilB = module.dependencies['@fleet-fixtures/util-b'];
  t.is(utilB.version, '1.0.0');
  t.is(utilB.dependencies['@fleet-fixtures/util-a'].version, '1.0.0');
  t.is(registry.tarballRequests('@fleet-fixtures/adaptor-two'), 1);
  t.true(registry.tarballRequests('@fleet-fixtures/util-a') >= 2);
});

test('the CommonJS fixture loads and its postinstall ran to the end', async (t) => {
  const { prefix, module } = await installAndImport(fixtures.adaptorThree);
  const adaptor = module.default;
  t.is(adaptor.version, '1.0.0');
  const dependencies = await adaptor.loadDependencies();
  t.is(dependencies['@fleet-fixtures/util-b'].dependencies['@fleet-fixtures/util-a'].version, '1.0.0');
  const marker = join(prefix, 'node_modules/@fleet-fixtures/adaptor-three', postinstallMarker);
  t.is(await readFile(marker, 'utf8'), 'done\n');
});

test('a package only the public registry has is not found: no uplink', async (t) => {
  const error = await t.throwsAsync(npm(['view', 'left-pad', 'version']));
  t.regex((error as Error & { stderr: string }).stderr, /E404/);
});

test('stop closes the server and removes its storage and cache', async (t) => {
  const empty = await startRegistry({ publishFixtures: false });
  const dir = dirname(empty.env.npm_config_cache);
  t.true(existsSync(join(dir, 'storage')));
  await empty.stop();
  t.false(existsSync(dir));
  await t.throwsAsync(fetch(empty.url));
});
