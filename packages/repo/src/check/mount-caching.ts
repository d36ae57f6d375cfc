import type { CheckResult } from './check-repo.js';
import type { Mount } from './mount-info.js';
import type { SshfsDaemon } from './sshfs-options.js';

// A network filesystem client caches attributes: another host may then miss a
// lock's heartbeat (a directory's mtime) for as long as its cache holds, and once
// that is longer than the stale window, a waiter takes over a live lock.

const NAME = 'filesystem';
const NFS = new Set(['nfs', 'nfs4']);
const SMB = new Set(['cifs', 'smb3']);
const SSHFS = 'fuse.sshfs';

/** The sshfs options that switch its caches off (`cache=no` is sshfs 2's spelling of `dir_cache=no`). */
const SSHFS_CACHE_OFF = 'cache=no,attr_timeout=0,entry_timeout=0,negative_timeout=0,dir_cache=no';
// Each group switches one cache off; any option of a group does.
const SSHFS_REQUIRED = [['cache=no', 'dir_cache=no'], ['attr_timeout=0'], ['entry_timeout=0'], ['negative_timeout=0']];

const RISK = "another host can miss a lock's heartbeat for as long as its cache holds, and take over a live lock";

/**
 * Whether the repo dir's mount shows every host the others' changes at once.
 * `daemon`: the sshfs process serving the mount, when it is an sshfs mount and
 * the process is visible from here.
 */
export function judgeMount(mount: Mount | undefined, daemon?: SshfsDaemon): CheckResult {
  if (!mount) {
    return {
      name: NAME,
      ok: true,
      detail: 'unknown: no mount table (/proc/self/mountinfo) here; on a network filesystem, mount the repo dir with attribute caching off',
    };
  }
  const where = `${mount.fstype} at ${mount.mountPoint} (${mount.options.join(',')})`;
  const isNfs = NFS.has(mount.fstype);
  if (isNfs || SMB.has(mount.fstype)) {
    if (attributeCacheOff(mount.options)) return { name: NAME, ok: true, detail: `${where}: attribute caching is off` };
    return {
      name: NAME,
      ok: false,
      detail: `${where}: a network filesystem that caches attributes (no noac, actimeo=0 or acregmax=0+acdirmax=0), so ${RISK}`,
      fix: isNfs ? "remount with -o noac (or actimeo=0); on Kubernetes, in the PersistentVolume's mountOptions" : 'remount with -o actimeo=0',
    };
  }
  if (mount.fstype === SSHFS) return judgeSshfs(where, daemon);
  return { name: NAME, ok: true, detail: `${where}: not one of the network filesystems this check judges (NFS, SMB, sshfs)` };
}

// Filesystems whose every lookup may cross a network (or a FUSE daemon).
const REMOTE = new Set([...NFS, ...SMB, SSHFS, 'ceph', 'fuse.ceph', 'glusterfs', 'fuse.glusterfs', 'lustre', '9p', 'fuse.s3fs', 'fuse.gcsfuse', 'fuse.rclone', 'efs']);

const CACHE_NAME = 'cache-filesystem';

/**
 * The local cache is where adaptors are imported from, thousands of small files
 * each: on a network filesystem with caches off every one is a round trip (an
 * import measured 15–28× slower than from local disk).
 */
export function judgeCacheMount(mount: Mount | undefined): CheckResult {
  if (!mount) return { name: CACHE_NAME, ok: true, detail: 'unknown: no mount table (/proc/self/mountinfo) here; keep the cache dir on a local disk' };
  const where = `${mount.fstype} at ${mount.mountPoint}`;
  if (!REMOTE.has(mount.fstype)) return { name: CACHE_NAME, ok: true, detail: `${where}: a local filesystem` };
  return {
    name: CACHE_NAME,
    ok: false,
    detail: `${where}: a network filesystem, where importing an adaptor's thousands of files is many times slower than from local disk`,
    fix: 'point --cache-dir (WORKER_CACHE_DIR) at a local disk; on Kubernetes, an emptyDir volume',
  };
}

// NFS lists `actimeo=0` as the four ac* times at 0; SMB as `actimeo=0` or acregmax/acdirmax.
const attributeCacheOff = (options: string[]): boolean =>
  options.includes('noac') || options.includes('actimeo=0') || (options.includes('acregmax=0') && options.includes('acdirmax=0'));

function judgeSshfs(where: string, daemon: SshfsDaemon | undefined): CheckResult {
  if (!daemon) {
    return {
      name: NAME,
      ok: true,
      detail: `${where}: sshfs's cache options are not in the mount table and its process is not visible from here, so they cannot be checked; sshfs must run with -o ${SSHFS_CACHE_OFF}, or ${RISK}`,
    };
  }
  const missing = SSHFS_REQUIRED.filter((group) => !group.some((option) => daemon.options.includes(option)));
  if (missing.length === 0) return { name: NAME, ok: true, detail: `${where}: its sshfs process (pid ${daemon.pid}) runs with caching off` };
  return {
    name: NAME,
    ok: false,
    detail: `${where}: its sshfs process (pid ${daemon.pid}) runs without ${missing.map((group) => group.join(' or ')).join(', ')}, so ${RISK}`,
    fix: `remount with sshfs -o ${SSHFS_CACHE_OFF}`,
  };
}
