import test from 'ava';
import { judgeMount } from '../src/check/mount-caching.js';
import { parseMountInfo, type Mount } from '../src/check/mount-info.js';

// Mount lines as Linux lists them. NFS shows `actimeo=0` as the four ac* times
// at 0, and `noac` as itself (with the ac* times at 0 as well).
const mount = (line: string): Mount => {
  const [parsed] = parseMountInfo(line);
  if (!parsed) throw new Error(`not a mountinfo line: ${line}`);
  return parsed;
};

const NFS_DEFAULT = mount(
  '30 27 0:50 / /mnt/repo rw,relatime shared:20 - nfs4 10.0.0.5:/export rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.7,local_lock=none,addr=10.0.0.5',
);
const NFS_NOAC = mount(
  '31 27 0:51 / /mnt/repo rw,relatime - nfs 10.0.0.5:/export rw,sync,vers=3,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0,hard,noac,proto=tcp,timeo=600',
);
const EFS_ACTIMEO_0 = mount(
  '32 27 0:52 / /mnt/efs rw,relatime - nfs4 fs-0123.efs.eu-west-1.amazonaws.com:/ rw,vers=4.1,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0,hard,noresvport,proto=tcp,timeo=600',
);
const NFS_SHORT_DIR_CACHE = mount('33 27 0:53 / /mnt/repo rw,relatime - nfs4 10.0.0.5:/export rw,vers=4.2,acregmax=0,acdirmax=3,hard');
const SMB_DEFAULT = mount('34 27 0:54 / /mnt/smb rw,relatime - cifs //files/repo rw,vers=3.1.1,cache=strict,uid=0,gid=0,actimeo=1');
const SMB_ACTIMEO_0 = mount('35 27 0:55 / /mnt/smb rw,relatime - cifs //files/repo rw,vers=3.1.1,cache=strict,actimeo=0');
const SSHFS = mount(
  '51 27 0:40 / /tmp/hosts/mnt-a rw,nosuid,nodev,relatime - fuse.sshfs root@10.204.49.2:/tmp/hosts/export rw,user_id=0,group_id=0',
);
const EXT4 = mount('27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard,errors=remount-ro');
const OVERLAY = mount('500 400 0:60 / / rw,relatime - overlay overlay rw,lowerdir=/l/A:/l/B,upperdir=/C/diff,workdir=/C/work');

const SSHFS_CACHE_OFF = 'cache=no,attr_timeout=0,entry_timeout=0,negative_timeout=0,dir_cache=no';

test('NFS with its default attribute cache: a warning that says why, and noac as the fix', (t) => {
  const check = judgeMount(NFS_DEFAULT);
  t.like(check, { name: 'filesystem', ok: false });
  t.true(check.detail.startsWith('nfs4 at /mnt/repo (rw,relatime,vers=4.2,'), check.detail);
  t.regex(check.detail, /caches attributes .*take over a live lock/);
  t.regex(check.fix ?? '', /^remount with -o noac \(or actimeo=0\)/);
});

test('NFS mounted with noac, or with actimeo=0 (EFS): ok', (t) => {
  t.like(judgeMount(NFS_NOAC), { ok: true, detail: `nfs at /mnt/repo (${NFS_NOAC.options.join(',')}): attribute caching is off` });
  t.like(judgeMount(EFS_ACTIMEO_0), { ok: true });
  t.is(judgeMount(EFS_ACTIMEO_0).fix, undefined);
});

test('NFS caching directories for a few seconds still caches: a warning', (t) => {
  t.false(judgeMount(NFS_SHORT_DIR_CACHE).ok);
});

test('SMB: the default 1 s cache warns with actimeo=0 as the fix; actimeo=0 is ok', (t) => {
  t.like(judgeMount(SMB_DEFAULT), { ok: false, fix: 'remount with -o actimeo=0' });
  t.like(judgeMount(SMB_ACTIMEO_0), { ok: true });
});

test('sshfs whose process is not visible: ok, but the detail says it could not check and which options are needed', (t) => {
  const check = judgeMount(SSHFS);
  t.true(check.ok);
  t.regex(check.detail, /^fuse\.sshfs at \/tmp\/hosts\/mnt-a \(rw,nosuid,nodev,relatime,user_id=0,group_id=0\): /);
  t.regex(check.detail, /cannot be checked/);
  t.true(check.detail.includes(`-o ${SSHFS_CACHE_OFF}`));
});

test('sshfs whose process runs without the cache options: a warning naming what is missing', (t) => {
  const check = judgeMount(SSHFS, { pid: 1101, options: ['IdentityFile=/k', 'reconnect', 'attr_timeout=0'] });
  t.false(check.ok);
  t.regex(check.detail, /its sshfs process \(pid 1101\) runs without cache=no or dir_cache=no, entry_timeout=0, negative_timeout=0, so /);
  t.is(check.fix, `remount with sshfs -o ${SSHFS_CACHE_OFF}`);
});

test('sshfs whose process runs with caching off: ok, with either spelling of the directory cache option', (t) => {
  const off = ['attr_timeout=0', 'entry_timeout=0', 'negative_timeout=0'];
  t.like(judgeMount(SSHFS, { pid: 7, options: [...off, 'dir_cache=no'] }), { ok: true });
  t.like(judgeMount(SSHFS, { pid: 7, options: [...off, 'cache=no'] }), { ok: true });
  t.regex(judgeMount(SSHFS, { pid: 7, options: [...off, 'cache=no'] }).detail, /pid 7\) runs with caching off$/);
});

test('local filesystems are ok and not called network filesystems', (t) => {
  for (const local of [EXT4, OVERLAY]) {
    const check = judgeMount(local);
    t.true(check.ok);
    t.regex(check.detail, new RegExp(`^${local.fstype} at / \\(.*\\): not one of the network filesystems this check judges`));
  }
});

test('no mount table (not Linux): ok and unknown', (t) => {
  t.like(judgeMount(undefined), { ok: true });
  t.regex(judgeMount(undefined).detail, /^unknown/);
});
