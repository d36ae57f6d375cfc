// pnpm bench:netfs — what a shared repo on a network filesystem costs, for the
// previous layout (npm runs in the shared repo, runs import from it) and the
// archive layout of @fleet/repo (npm runs in a local cache; the shared repo holds
// one index entry and one archive per version; other hosts extract it locally).
// The network filesystem is the multi-host harness's sshfs with client caches off
// (@fleet/fleet-e2e startHosts): host A writes through its mount, host B reads
// through its own. The adaptor is @fleet-fixtures/language-large (17 packages,
// ~8,000 files, ~26 MB). A cold install starts with nothing cached anywhere: no
// archive, no local copy, and an empty npm cache, as on a fleet's first pod; npm
// then fetches from the registry on the harness's bridge (well under a
// millisecond away, where a real registry is tens of milliseconds and more).
// Each repetition uses fresh repo folders and fresh local caches; medians are reported.
//   1 cold install   until the adaptor is installed and importable on host A, with
//                    the repo on the mount and on local disk (old: npm in the repo,
//                    importable once renamed into place; new: ensure() with an empty
//                    local cache, which includes its verification import)
//   2 host B         after host A installed it: host B (new: an empty local cache)
//                    until a fresh Node process has imported it, as its first run would
//   3 first import   a fresh Node process importing it on host B (old: from the
//                    mount; new: from the cache it materialized into) against one
//                    importing the local-disk install; variants interleaved, the
//                    first import of each reported apart from the rest
//   4 footprint      regular files and bytes in the shared repo after installing
//                    1.0.0, 1.1.0 and 2.0.0 (the last repetition's repos, extended)
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, lstat, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { multiHostUnavailable, startHosts, type Host, type Hosts } from '@fleet/fleet-e2e';
import { publishLargeAdaptor, startRegistry, type LocalRegistry } from '@fleet/local-registry';
import { adaptorEntry, aliasFor, openRepo, parseExactSpecifier, resolveAdaptor, runNpm, type InstallOutcome } from '@fleet/repo';
import { printTable, saveResults, summarize } from './table.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const IMPORTS = Number(process.env.BENCH_IMPORTS ?? 5);
const VERSIONS = ['1.0.0', '1.1.0', '2.0.0'];
const NPM_FLAGS = ['--no-audit', '--no-fund', '--ignore-scripts'];

type LayoutName = 'old' | 'new';

interface Layout {
  /** Installs on host A (through `repoDir`); returns the entry file a run on host A imports. */
  install(repoDir: string, specifier: string, root: string): Promise<string>;
  /** What host B does, through `repoDir`, before its first run can import; returns that entry file. */
  secondHost(repoDir: string, specifier: string, root: string): Promise<{ entry: string; outcome: InstallOutcome | 'none' }>;
}

const layouts: Record<LayoutName, Layout> = {
  // Today's layout, which the code no longer has: a global install into a stage of the
  // shared repo, renamed into its node_modules, then listed in its package.json.
  old: {
    install: async (repoDir, specifier) => {
      const { name, version } = parseExactSpecifier(specifier);
      const alias = aliasFor(specifier);
      const stage = path.join(repoDir, '.staging', `${alias.replace('/', '+')}-${process.pid}-${Date.now()}`);
      const target = path.join(repoDir, 'node_modules', alias);
      await mkdir(stage, { recursive: true });
      try {
        await runNpm(['install', '--global', '--prefix', stage, ...NPM_FLAGS, `${name}@${version}`], { cwd: stage });
        await mkdir(path.dirname(target), { recursive: true });
        await rename(path.join(stage, 'lib', 'node_modules', name), target);
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
      const indexFile = path.join(repoDir, 'package.json');
      const index = JSON.parse(await readFile(indexFile, 'utf8').catch(() => '{}')) as { dependencies?: Record<string, string> };
      await writeFile(indexFile, JSON.stringify({ ...index, dependencies: { ...index.dependencies, [alias]: `npm:${name}@${version}` } }, null, 2));
      return adaptorEntry(target);
    },
    secondHost: async (repoDir, specifier) => ({ entry: await adaptorEntry(path.join(repoDir, 'node_modules', aliasFor(specifier))), outcome: 'none' }),
  },
  new: {
    install: async (repoDir, specifier, root) => (await ensureWithFreshCache(repoDir, specifier, root)).entry,
    secondHost: (repoDir, specifier, root) => ensureWithFreshCache(repoDir, specifier, root),
  },
};

async function ensureWithFreshCache(repoDir: string, specifier: string, root: string): Promise<{ entry: string; outcome: InstallOutcome }> {
  const cacheDir = await mkdtemp(path.join(root, 'cache-'));
  const repo = openRepo({ repoDir, cacheDir });
  try {
    const { alias, outcome } = await repo.ensure(specifier);
    return { entry: await resolveAdaptor(cacheDir, alias), outcome };
  } finally {
    await repo.close();
  }
}

/** ms until a fresh Node process has imported `entry` and exited, as a run's first import. */
function importInFreshNode(entry: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', 'await import(process.argv[1]); process.exit(0)', pathToFileURL(entry).href], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`importing ${entry} failed (exit ${code}): ${stderr}`))));
  });
}

/** Runs `task` with npm pointed at a fresh, empty cache (npm reads npm_config_cache from the environment it inherits). */
async function withEmptyNpmCache<T>(root: string, task: () => Promise<T>): Promise<T> {
  const warm = process.env.npm_config_cache;
  process.env.npm_config_cache = await mkdtemp(path.join(root, 'npm-cache-'));
  try {
    return await task();
  } finally {
    process.env.npm_config_cache = warm;
  }
}

async function timed<T>(task: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await task();
  return { ms: performance.now() - started, value };
}

/** Regular files under `dir`, their apparent bytes and their allocated bytes (st_blocks, as du counts). */
async function footprint(dir: string): Promise<{ files: number; bytes: number; allocatedBytes: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const stats = await Promise.all(entries.filter((entry) => entry.isFile()).map((entry) => lstat(path.join(entry.parentPath, entry.name))));
  return {
    files: stats.length,
    bytes: stats.reduce((sum, stat) => sum + stat.size, 0),
    allocatedBytes: stats.reduce((sum, stat) => sum + stat.blocks * 512, 0),
  };
}

interface Trial {
  coldLocalMs: number;
  coldMountMs: number;
  secondHostMs: number;
  secondHostOutcome: InstallOutcome | 'none';
  secondHostTarballs: number;
  /** Fresh-process imports, in the order they ran: on host B (old: from the mount; new: from its cache), and of the local-disk install. */
  imports: { hostB: number[]; local: number[] };
}

/** One repetition of rows 1 and 2 for a layout, in fresh repo folders; returns the entry files row 3 imports. */
async function trial(layout: Layout, folder: string, hostA: Host, hostB: Host, registry: LocalRegistry, root: string, specifier: string) {
  const local = await timed(async () => withEmptyNpmCache(root, async () => layout.install(await mkdtemp(path.join(root, `${folder}-`)), specifier, root)));
  const mount = await timed(() => withEmptyNpmCache(root, () => layout.install(path.join(hostA.mount, folder), specifier, root)));
  const tarballsBefore = registry.tarballRequests();
  const second = await timed(async () => {
    const ready = await layout.secondHost(path.join(hostB.mount, folder), specifier, root);
    await importInFreshNode(ready.entry);
    return ready;
  });
  const result: Trial = {
    coldLocalMs: local.ms,
    coldMountMs: mount.ms,
    secondHostMs: second.ms,
    secondHostOutcome: second.value.outcome,
    secondHostTarballs: registry.tarballRequests() - tarballsBefore,
    imports: { hostB: [], local: [] },
  };
  return { localEntry: local.value, hostBEntry: second.value.entry, result };
}

type ImportMedians = Record<'first' | 'rest' | 'all', number>;

interface LayoutSummary {
  coldLocalMs: number;
  coldMountMs: number;
  secondHostMs: number;
  importHostB: ImportMedians;
  importLocal: ImportMedians;
  /** No tarball was fetched and no build ran on host B in any repetition. */
  noNpmOnHostB: boolean;
  outcomes: string[];
}

function summarizeLayout(trials: Trial[]): LayoutSummary {
  const imports = (which: 'hostB' | 'local'): ImportMedians => ({
    first: median(trials.map((t) => t.imports[which][0] ?? NaN)),
    rest: median(trials.flatMap((t) => t.imports[which].slice(1))),
    all: median(trials.flatMap((t) => t.imports[which])),
  });
  return {
    coldLocalMs: median(trials.map((t) => t.coldLocalMs)),
    coldMountMs: median(trials.map((t) => t.coldMountMs)),
    secondHostMs: median(trials.map((t) => t.secondHostMs)),
    importHostB: imports('hostB'),
    importLocal: imports('local'),
    noNpmOnHostB: trials.every((t) => t.secondHostTarballs === 0 && t.secondHostOutcome !== 'installed' && t.secondHostOutcome !== 'lost-race'),
    outcomes: [...new Set(trials.map((t) => t.secondHostOutcome))],
  };
}

const median = (values: number[]): number => summarize(values).median;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const times = (value: number): string => `${value.toFixed(2)}×`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const met = (ok: boolean): string => (ok ? 'yes' : 'NO');

async function main(): Promise<void> {
  const unavailable = await multiHostUnavailable();
  if (unavailable) {
    console.log(`bench:netfs needs the multi-host harness, which cannot run here: ${unavailable}`);
    process.exitCode = 1;
    return;
  }
  let hosts: Hosts | undefined;
  let registry: LocalRegistry | undefined;
  const root = await mkdtemp(path.join(os.tmpdir(), 'fleet-bench-netfs-'));
  try {
    hosts = await startHosts();
    const [hostA, hostB] = hosts.hosts as [Host, Host];
    registry = await startRegistry({ host: hosts.bridgeAddress });
    Object.assign(process.env, registry.env);
    const specifiers: string[] = [];
    for (const version of VERSIONS) specifiers.push(await publishLargeAdaptor(registry.url, { version }));
    const [first, ...later] = specifiers as [string, ...string[]];

    const trials: Record<LayoutName, Trial[]> = { old: [], new: [] };
    for (let rep = 0; rep < REPS; rep++) {
      const entries: Array<{ label: LayoutName; localEntry: string; hostBEntry: string; result: Trial }> = [];
      for (const label of ['old', 'new'] as const) {
        entries.push({ label, ...(await trial(layouts[label], `${label}-${rep}`, hostA, hostB, registry, root, first)) });
        process.stderr.write(`  rep ${rep + 1} ${label} layout: installed on both places, host B ready\n`);
      }
      // Interleaved, so that whatever warms up between imports (the page cache, the
      // sshfs server) helps every variant alike.
      for (let i = 0; i < IMPORTS; i++) {
        for (const { localEntry, hostBEntry, result } of entries) {
          result.imports.hostB.push(await importInFreshNode(hostBEntry));
          result.imports.local.push(await importInFreshNode(localEntry));
        }
      }
      for (const { label, result } of entries) trials[label].push(result);
    }

    const footprints = {} as Record<LayoutName, Awaited<ReturnType<typeof footprint>>>;
    for (const label of ['old', 'new'] as const) {
      const repoDir = path.join(hostA.mount, `${label}-${REPS - 1}`);
      for (const specifier of later) await layouts[label].install(repoDir, specifier, root);
      footprints[label] = await footprint(repoDir);
      process.stderr.write(`  footprint ${label} layout: done\n`);
    }

    const old = summarizeLayout(trials.old);
    const next = summarizeLayout(trials.new);
    const coldRatio = (s: LayoutSummary): number => s.coldMountMs / s.coldLocalMs;
    const secondRatio = (s: LayoutSummary): number => s.secondHostMs / s.coldMountMs;
    const importRatio = (s: typeof old, part: 'first' | 'rest' | 'all'): number => s.importHostB[part] / s.importLocal[part];
    const importCell = (s: LayoutSummary): string => `${times(importRatio(s, 'all'))} (first ${times(importRatio(s, 'first'))}, rest ${times(importRatio(s, 'rest'))})`;
    const filesPerVersion = (label: LayoutName): number => footprints[label].files / VERSIONS.length;
    const bytesRatio = footprints.new.bytes / footprints.old.bytes;
    printTable(
      `Shared repo on sshfs, caches off: old layout vs archive layout, language-large (${REPS} repetitions, medians)`,
      ['what', 'old layout (shared repo on the mount)', 'new layout', 'target (new)', 'met?'],
      [
        [
          '1 cold install on host A, mount ÷ local disk',
          `${times(coldRatio(old))} (${seconds(old.coldMountMs)} ÷ ${seconds(old.coldLocalMs)})`,
          `${times(coldRatio(next))} (${seconds(next.coldMountMs)} ÷ ${seconds(next.coldLocalMs)})`,
          '≤ 1.3×',
          met(coldRatio(next) <= 1.3),
        ],
        [
          "2 host B's first run ÷ cold install on the mount",
          `${secondRatio(old).toFixed(3)} (${seconds(old.secondHostMs)})`,
          `${secondRatio(next).toFixed(3)} (${seconds(next.secondHostMs)})`,
          '≤ 0.1',
          met(secondRatio(next) <= 0.1),
        ],
        [
          '2 npm on host B',
          old.noNpmOnHostB ? 'none (0 tarballs)' : 'ran',
          next.noNpmOnHostB ? `none (0 tarballs, ${next.outcomes.join('/')})` : `ran (${next.outcomes.join('/')})`,
          'none, materialized',
          met(next.noNpmOnHostB && next.outcomes.join() === 'materialized'),
        ],
        ['3 first import on host B ÷ from local disk (median of all)', importCell(old), importCell(next), '≤ 1.1×', met(importRatio(next, 'all') <= 1.1)],
        [
          `4 files in the shared repo per version (${VERSIONS.length} versions)`,
          `${filesPerVersion('old').toFixed(0)} (${footprints.old.files})`,
          `${filesPerVersion('new').toFixed(1)} (${footprints.new.files})`,
          '≤ 3',
          met(filesPerVersion('new') <= 3),
        ],
        [
          '4 bytes in the shared repo (apparent; allocated)',
          `${mb(footprints.old.bytes)}; ${mb(footprints.old.allocatedBytes)}`,
          `${mb(footprints.new.bytes)}; ${mb(footprints.new.allocatedBytes)} = ${(bytesRatio * 100).toFixed(1)}% of old`,
          '≤ 20% of old',
          met(bytesRatio <= 0.2),
        ],
      ],
    );
    printTable(
      `Raw medians, ms (${REPS} repetitions; imports: ${IMPORTS} per variant and repetition, interleaved)`,
      ['layout', 'what', 'repo on local disk', 'repo on the mount'],
      ([['old', old], ['new', next]] as const).flatMap(([label, s]) => {
        const where = label === 'old' ? 'from the mount' : "from host B's cache";
        return [
          [label, 'cold install on host A', Math.round(s.coldLocalMs), Math.round(s.coldMountMs)],
          [label, "host B's first run (until a fresh process imported it)", '—', Math.round(s.secondHostMs)],
          [label, `import, first (mount column: host B ${where})`, s.importLocal.first, s.importHostB.first],
          [label, 'import, median of the rest', s.importLocal.rest, s.importHostB.rest],
        ];
      }),
    );
    await saveResults('netfs', { reps: REPS, importsPerRep: IMPORTS, specifiers, trials, summary: { old, new: next }, footprints });
  } finally {
    await registry?.stop();
    await hosts?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
