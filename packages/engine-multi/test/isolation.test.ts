import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { fixtures } from '@fleet/local-registry';
import { final, planOf, runPlan, type RunEvent } from './helpers/run-plan.js';
import { sharedEngine } from './helpers/shared-engine.js';

// Every attack of a hostile job author that worked against pooled run
// processes, through a real engine with real adaptors. Escapes that Node cannot
// close are stood in for by the language-host fixture, whose `hostProcess()`
// hands job code the run process's `process`: what that reaches is what the run
// process's own limits leave. Between the attacks, innocent runs must succeed
// with their own data only.
const HOST = fixtures.languageHost;
const JOBS = fixtures.languageJobs;
const SECRET = 'worker-secret-do-not-leak';

const engine = sharedEngine({ jobEnv: ['FLEET_TEST_ALLOWED'] }, { WORKER_SECRET: SECRET, FLEET_TEST_ALLOWED: 'visible' });

/** Runs `body` (a function body of `p`, the run process's process) in a job and resolves with what it returned. */
async function probe(body: string): Promise<unknown> {
  const expression = `fn(s => { const p = hostProcess(); const fs = p.getBuiltinModule('fs'); const attempt = (f) => { try { return f(); } catch (e) { return e.code ?? e.message; } }; return { data: (() => { ${body} })() }; });`;
  const events = await runPlan(engine(), planOf(HOST, [{ id: 'probe', expression }]));
  const done = final(events);
  if (done?.name !== 'workflow-complete') throw new Error(`the probe failed: ${JSON.stringify(done?.payload)}`);
  return (done.payload.state as { data: unknown }).data;
}

const stringify = (value: unknown): string => JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));

const innocent = async (t: import('ava').ExecutionContext, tag: string): Promise<RunEvent[]> => {
  const events = await runPlan(engine(), planOf(JOBS, [{ id: 'a', configuration: 'cred', expression: `fn(s => ({ data: { tag: '${tag}', user: s.configuration.user } }));` }]), undefined, {
    resolvers: { credential: async () => ({ user: `user-${tag}`, password: 'VictimPassw0rd' }) },
  });
  t.like(final(events), { name: 'workflow-complete', payload: { state: { data: { tag, user: `user-${tag}` } } } }, `innocent run ${tag}`);
  return events;
};

for (const [what, expression] of [
  ['the state', "fn(s => s.constructor.constructor('return process')().pid);"],
  ['console.log', "fn(s => console.log.constructor('return process')().pid);"],
  ['setTimeout', "fn(s => setTimeout.constructor('return process')().pid);"],
  ['an adaptor export', "fn(s => fn.constructor('return process')().pid);"],
  ['an edge condition', "fn(s => s);"],
] as const) {
  test.serial(`escape without eval through ${what}: refused as a SecurityError`, async (t) => {
    const plan =
      what === 'an edge condition'
        ? planOf(JOBS, [
            { id: 'a', expression, next: { b: "state.constructor.constructor('return process')().pid > 0" } },
            { id: 'b', expression: 'fn(s => ({ data: { reached: true } }));' },
          ])
        : planOf(JOBS, [{ id: 'a', expression }]);
    const events = await runPlan(engine(), plan);
    const error = what === 'an edge condition' ? final(events)?.payload : (events.find((event) => event.name === 'job-error')?.payload.error as Record<string, unknown>);
    t.regex(stringify(error), /SecurityError|EvalError|Code generation/);
    t.false(events.some((event) => event.name === 'job-start' && event.payload.jobId === 'b'));
    await innocent(t, `after-${what}`);
  });
}

test.serial("an escaped job sees none of the worker's environment, only what jobEnv names", async (t) => {
  const seen = (await probe('return { keys: Object.keys(p.env), secret: p.env.WORKER_SECRET ?? null, allowed: p.env.FLEET_TEST_ALLOWED ?? null };')) as Record<string, unknown>;
  t.deepEqual(seen, { keys: ['FLEET_TEST_ALLOWED'], secret: null, allowed: 'visible' });
});

test.serial("an escaped job cannot read the worker's command line, /etc/shadow or its environment file", async (t) => {
  const seen = await probe(
    "return { cmdline: attempt(() => fs.readFileSync(`/proc/${p.ppid}/cmdline`, 'utf8')), environ: attempt(() => fs.readFileSync(`/proc/${p.ppid}/environ`, 'utf8')), shadow: attempt(() => fs.readFileSync('/etc/shadow', 'utf8')), passwd: attempt(() => fs.readFileSync('/etc/passwd', 'utf8')) };",
  );
  t.deepEqual(seen, { cmdline: 'ERR_ACCESS_DENIED', environ: 'ERR_ACCESS_DENIED', shadow: 'ERR_ACCESS_DENIED', passwd: 'ERR_ACCESS_DENIED' });
});

test.serial('an escaped job cannot run commands, start threads or load native addons', async (t) => {
  const seen = await probe(
    "return { exec: attempt(() => p.getBuiltinModule('child_process').execSync('id').toString()), spawn: attempt(() => p.getBuiltinModule('child_process').spawnSync('id').error?.code), worker: attempt(() => new (p.getBuiltinModule('worker_threads').Worker)('1', { eval: true }) && 'started'), addon: attempt(() => p.dlopen({ exports: {} }, '/nonexistent.node')) };",
  );
  t.like(seen, { exec: 'ERR_ACCESS_DENIED', worker: 'ERR_ACCESS_DENIED', addon: 'ERR_DLOPEN_DISABLED' });
  t.not((seen as { spawn?: unknown }).spawn, undefined);
});

test.serial('an escaped job cannot write into the shared repo, the local cache or anywhere else', async (t) => {
  const { repoDir, cacheDir } = engine().options;
  const scope = path.join(cacheDir, 'node_modules', '@fleet-fixtures');
  const adaptorDir = path.join(scope, (await readdir(scope)).find((name) => name.startsWith('language-host'))!);
  const targets = { repo: path.join(repoDir, 'adaptors', 'backdoor.js'), adaptor: path.join(adaptorDir, 'index.js'), tmp: path.join(os.tmpdir(), `fleet-backdoor-${process.pid}`) };
  const seen = await probe(`const targets = ${JSON.stringify(targets)}; return Object.fromEntries(Object.entries(targets).map(([k, f]) => [k, attempt(() => fs.writeFileSync(f, 'export const pwned = 1;'))]));`);
  t.deepEqual(seen, { repo: 'ERR_ACCESS_DENIED', adaptor: 'ERR_ACCESS_DENIED', tmp: 'ERR_ACCESS_DENIED' });
  t.false(existsSync(targets.repo));
  t.false(existsSync(targets.tmp));
  // The adaptor still works for the next run.
  t.deepEqual(await probe('return { ok: true };'), { ok: true });
});

test.serial('an escaped job cannot signal the worker; ending its own process ends only its run', async (t) => {
  const seen = await probe("return { kill: attempt(() => p.kill(p.ppid, 'SIGKILL')), killSelf: attempt(() => p.kill(p.pid, 'SIGTERM')) };");
  t.deepEqual(seen, { kill: 'Run processes may not send signals', killSelf: 'Run processes may not send signals' });
  for (const expression of ['fn(s => hostProcess().exit(1));', 'fn(s => hostProcess().abort());', 'fn(s => hostProcess().reallyExit(9));']) {
    const events = await runPlan(engine(), planOf(HOST, [{ id: 'a', expression }]));
    t.like(final(events), { name: 'workflow-error', payload: { type: 'ExitError' } }, expression);
  }
  t.is(process.exitCode, undefined);
  await innocent(t, 'after-exits');
});

test.serial("a message listener left by one run never sees the next run's credential", async (t) => {
  const spy = "fn(s => { const p = hostProcess(); p.on('message', (m) => { p.stolen = (p.stolen ?? '') + JSON.stringify(m); }); return s; });";
  t.like(final(await runPlan(engine(), planOf(HOST, [{ id: 'spy', expression: spy }]))), { name: 'workflow-complete' });
  const victim = await innocent(t, 'victim');
  t.false(stringify(victim).includes('VictimPassw0rd'), 'the credential is removed from the output');
  t.deepEqual(await probe('return { stolen: p.stolen ?? null };'), { stolen: null });
});

test.serial("prototype pollution and stashed values of one run reach no other run", async (t) => {
  const attack = `fn(s => {
    let proto = hostProcess();
    while (Object.getPrototypeOf(proto)) proto = Object.getPrototypeOf(proto);
    proto.get = 'not a function';
    proto.polluted = 'yes';
    s.__proto__.pollutedToo = 'yes';
    Object.getPrototypeOf(Buffer).stash = 'VictimPassw0rd';
    return s;
  });`;
  await runPlan(engine(), planOf(HOST, [{ id: 'attack', expression: attack }]));
  for (let i = 0; i < 5; i++) await innocent(t, `after-pollution-${i}`);
  const seen = await probe("let proto = p; while (Object.getPrototypeOf(proto)) proto = Object.getPrototypeOf(proto); return { polluted: proto.polluted ?? null, get: proto.get ?? null, stash: Object.getPrototypeOf(Buffer).stash ?? null, state: ({}).pollutedToo ?? null };");
  t.deepEqual(seen, { polluted: null, get: null, stash: null, state: null });
});

test.serial("a timer left by one run writes nothing into the next run's log, and a late throw harms no run", async (t) => {
  const leave = "fn(s => { setInterval(() => console.log('run A is still here'), 5); setTimeout(() => { throw new Error('late'); }, 30); return s; });";
  t.like(final(await runPlan(engine(), planOf(JOBS, [{ id: 'a', expression: leave }]))), { name: 'workflow-complete' });
  const next = await runPlan(engine(), planOf(JOBS, [{ id: 'b', expression: 'fn(s => new Promise((resolve) => setTimeout(() => resolve({ data: { waited: true } }), 200)));' }]));
  t.like(final(next), { name: 'workflow-complete', payload: { state: { data: { waited: true } } } });
  t.false(stringify(next).includes('still here'));
});

for (const [what, expression, message] of [
  ['a timer that throws', "fn(s => { setTimeout(() => { throw new Error('boom later'); }, 10); return new Promise((resolve) => setTimeout(() => resolve(s), 2000)); });", /Uncaught exception in job code: .*boom later/],
  ['a forgotten rejected promise', "fn(s => { Promise.reject(new Error('forgotten')); return new Promise((resolve) => setTimeout(() => resolve(s), 2000)); });", /Unhandled promise rejection in job code: .*forgotten/],
] as const) {
  test.serial(`${what} ends only its own run, and says so in its log`, async (t) => {
    const events = await runPlan(engine(), planOf(JOBS, [{ id: 'a', expression }]));
    t.like(final(events), { name: 'workflow-error', payload: { severity: 'crash' } });
    t.regex(String(final(events)?.payload.message), message);
    const logged = events.filter((event) => event.name === 'workflow-log').map((event) => stringify(event.payload));
    t.true(logged.some((line) => message.test(line) && line.includes('"R/T"')), logged.join('\n'));
    await innocent(t, `after-${what}`);
  });
}

test.serial("a run's process that writes junk to the engine's channel ends only its run, as a ProtocolError", async (t) => {
  const expression = "fn(s => { hostProcess().send({ type: 'event', event: { type: 'job-complete', jobId: 'x', next: 5 } }); return new Promise((resolve) => setTimeout(() => resolve(s), 2000)); });";
  const events = await runPlan(engine(), planOf(HOST, [{ id: 'a', expression }]));
  t.like(final(events), { name: 'workflow-error', payload: { type: 'ProtocolError', severity: 'crash' } });
  t.regex(String(final(events)?.payload.message), /malformed message.*next/s);
  t.false(events.some((event) => event.name === 'job-complete'));
  await innocent(t, 'after-junk');
});
