import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// src/ and dist/ are both one level below the package root, beside multi-host/.
const SCRIPT = fileURLToPath(new URL('../multi-host/hosts.sh', import.meta.url));
const run = promisify(execFile);

/** One simulated machine: its own network namespace, host name and sshfs mount of the shared folder. */
export interface Host {
  name: string;
  /** Path of the network namespace, for `nsenter --net=`. */
  netns: string;
  address: string;
  /** Where this host mounts the server's shared folder. */
  mount: string;
}

export interface Hosts {
  /** This process's address on the hosts' network: serve the mock Lightning and the registry on it. */
  bridgeAddress: string;
  hosts: Host[];
  /** Unmounts, stops sshd and removes the namespaces; safe to call twice. */
  stop(): Promise<void>;
}

export interface HostCommandOptions {
  /** A clock offset for the command, as faketime takes it (`-60s`): only this host's processes see it. */
  clockOffset?: string;
}

/** Why the multi-host harness cannot run on this machine, or undefined when it can. */
export async function multiHostUnavailable(): Promise<string | undefined> {
  try {
    await run('bash', [SCRIPT, 'check']);
    return undefined;
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    return (stdout || stderr || message).trim();
  }
}

/** Builds the server and two hosts (see multi-host/hosts.sh); stop() tears everything down. */
export async function startHosts(): Promise<Hosts> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fleet-hosts-'));
  const stop = async (): Promise<void> => {
    await run('bash', [SCRIPT, 'down', dir]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run('bash', [SCRIPT, 'up', dir]);
    const { bridgeAddress, hosts } = JSON.parse(stdout) as Omit<Hosts, 'stop'>;
    return { bridgeAddress, hosts, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The prefix that runs a command on `host`: in its network namespace, with its
 * own host name (so lock owners on the two hosts are told apart, as on real
 * machines), and optionally with its clock shifted.
 */
export function onHost(host: Host, { clockOffset }: HostCommandOptions = {}): string[] {
  return [
    'nsenter',
    `--net=${host.netns}`,
    'unshare',
    '--uts',
    'sh',
    '-c',
    'hostname "$0" && exec "$@"',
    host.name,
    ...(clockOffset ? ['faketime', '-f', clockOffset] : []),
  ];
}
