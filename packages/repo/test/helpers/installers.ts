import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./install-child.ts', import.meta.url));

export type InstallReply =
  | { id: number; ok: true; outcome: string; alias: string }
  | { id: number; ok: false; message: string };

export interface InstallRequest {
  repoDir: string;
  cacheDir: string;
  specifier: string;
  /** Take the install lock. Default false: these tests prove the repo is correct without it. */
  lockRepo?: boolean;
  installScripts?: boolean;
}

/** A long-lived installer process, reused across trials so each trial pays only for npm. */
export interface Installer {
  child: ChildProcess;
  install(request: InstallRequest): Promise<InstallReply>;
}

let nextId = 0;

export async function startInstaller(env: NodeJS.ProcessEnv): Promise<Installer> {
  const child = fork(CHILD, { env, execArgv: ['--import=tsx', '--no-warnings'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await once(child, 'message');
  const install = (request: InstallRequest): Promise<InstallReply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const onMessage = (reply: InstallReply): void => {
        if (reply.id !== id) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = (code: number | null, signal: string | null): void =>
        reject(new Error(`installer exited (${code ?? signal}) before answering`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, ...request });
    });
  return { child, install };
}
