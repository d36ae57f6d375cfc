// pnpm bench:install — how long K different adaptors take to install into one
// fresh repo, and how often the repo ends up broken, for three approaches:
//   serial npm    one `npm install <alias>@npm:<pkg>` at a time in the shared prefix
//   parallel npm  the same commands at once in the shared prefix (what a fleet without staging does)
//   fleet repo    @fleet/repo's ensure(), all at once: npm in a private local stage, the build
//                 verified, packed and published as one archive, then renamed into the cache
// Everything comes from a local registry; npm's cache is warmed first so the
// numbers compare installing, not downloading.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fixtures, loadFixtureTree, startRegistry } from '@fleet/local-registry';
import { aliasFor, openRepo, parseExactSpecifier, readIndex, resolveAdaptor, runNpm } from '@fleet/repo';
import { printTable, saveResults, summarize } from './table.js';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const KS = [1, 2, 4];
const ADAPTORS = [fixtures.adaptorOne, fixtures.adaptorTwo, fixtures.adaptorThree, fixtures.adaptorSlow];

type Approach = (repo: string, specifiers: string[]) => Promise<unknown>;

const npmInPrefix = (repo: string, specifier: string): Promise<unknown> => {
  const { name, version } = parseExactSpecifier(specifier);
  const args = ['install', '--no-audit', '--no-fund', '--no-package-lock', '--save-exact'];
  return runNpm([...args, `${aliasFor(specifier)}@npm:${name}@${version}`], { cwd: repo }).catch(() => undefined);
};

const approaches: Record<string, Approach> = {
  'serial npm': async (repo, specifiers) => {
    for (const specifier of specifiers) await npmInPrefix(repo, specifier);
  },
  'parallel npm': (repo, specifiers) => Promise.all(specifiers.map((specifier) => npmInPrefix(repo, specifier))),
  // One repo per adaptor, as separate worker processes, and no lock: correctness must not need it.
  'fleet repo': (repo, specifiers) => Promise.all(specifiers.map((specifier) => ensureIn(repo, specifier).catch(() => undefined))),
};

/** The adaptor, ready in `cacheDir` (the npm prefix the other approaches install into), from a shared repo beside it. */
function ensureIn(cacheDir: string, specifier: string) {
  return openRepo({ repoDir: `${cacheDir}-shared`, cacheDir, lockRepo: false }).ensure(specifier);
}

// Broken = some adaptor is not indexed, does not load, or loads other dependency
// versions than a clean install gives it.
async function isBroken(repo: string, specifiers: string[], expected: Map<string, string>): Promise<boolean> {
  const index = await readIndex(repo);
  for (const specifier of specifiers) {
    const alias = aliasFor(specifier);
    if (!index?.dependencies[alias]) return true;
    try {
      const tree = JSON.stringify(await loadFixtureTree(await resolveAdaptor(repo, alias)));
      if (tree !== expected.get(specifier)) return true;
    } catch {
      return true;
    }
  }
  return false;
}

async function freshRepo(root: string, label: string): Promise<string> {
  const repo = await mkdtemp(path.join(root, `${label.replace(' ', '-')}-`));
  await writeFile(path.join(repo, 'package.json'), JSON.stringify({ name: 'bench-repo', private: true, dependencies: {} }));
  return repo;
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  Object.assign(process.env, registry.env);
  const root = await mkdtemp(path.join(os.tmpdir(), 'fleet-bench-install-'));
  try {
    // Warm npm's cache and learn what a correct install of each adaptor loads.
    const reference = path.join(root, 'reference');
    await mkdir(reference);
    const expected = new Map<string, string>();
    for (const specifier of ADAPTORS) {
      const { alias } = await ensureIn(reference, specifier);
      expected.set(specifier, JSON.stringify(await loadFixtureTree(await resolveAdaptor(reference, alias))));
    }

    const rows = [];
    for (const k of KS) {
      const specifiers = ADAPTORS.slice(0, k);
      for (const [label, run] of Object.entries(approaches)) {
        const times: number[] = [];
        let broken = 0;
        for (let rep = 0; rep < REPS; rep++) {
          const repo = await freshRepo(root, label);
          const started = performance.now();
          await run(repo, specifiers);
          times.push(performance.now() - started);
          if (await isBroken(repo, specifiers, expected)) broken++;
          await rm(repo, { recursive: true, force: true });
        }
        rows.push({ k, approach: label, ...summarize(times), broken: `${broken}/${REPS}`, times });
        process.stderr.write(`  K=${k} ${label}: done\n`);
      }
    }
    printTable(
      `Installing K different adaptors into one fresh repo (${REPS} repetitions, ms)`,
      ['K', 'approach', 'min', 'median', 'broken'],
      rows.map((row) => [row.k, row.approach, row.min, row.median, row.broken]),
    );
    await saveResults('install', rows);
  } finally {
    await rm(root, { recursive: true, force: true });
    await registry.stop();
  }
}

await main();
