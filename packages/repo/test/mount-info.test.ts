import test from 'ava';
import { mountOf, parseMountInfo } from '../src/check/mount-info.js';

// Lines as Linux writes them to /proc/self/mountinfo, some with optional fields
// (shared:N, master:N) before the ` - ` separator and some without.
const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard,errors=remount-ro',
  '30 27 0:50 / /mnt/repo rw,relatime shared:20 master:3 - nfs4 10.0.0.5:/export rw,vers=4.2,hard,proto=tcp,timeo=600,addr=10.0.0.5',
  '31 27 0:51 / /mnt/repo2 rw,relatime - ext4 /dev/vdb rw',
  '32 27 0:52 / /srv/shared\\040repo rw,nosuid - ext4 /dev/vdc rw',
  '33 32 0:53 / /srv/shared\\040repo/node_modules rw,relatime - tmpfs tmp\\011fs rw,size=1024k',
  '34 27 0:54 / /mnt/repo rw,relatime - tmpfs tmpfs rw',
  '',
].join('\n');

test('parses every line: mount point, fstype, source, and both option lists merged without repeats', (t) => {
  const mounts = parseMountInfo(MOUNTINFO);
  t.is(mounts.length, 6);
  t.deepEqual(mounts[1], {
    mountPoint: '/mnt/repo',
    fstype: 'nfs4',
    source: '10.0.0.5:/export',
    options: ['rw', 'relatime', 'vers=4.2', 'hard', 'proto=tcp', 'timeo=600', 'addr=10.0.0.5'],
  });
});

test('octal escapes in paths and sources become the characters they stand for', (t) => {
  const [, , , shared, nested] = parseMountInfo(MOUNTINFO);
  t.is(shared?.mountPoint, '/srv/shared repo');
  t.is(nested?.mountPoint, '/srv/shared repo/node_modules');
  t.is(nested?.source, 'tmp\tfs');
});

test('lines without the separator or its three fields are skipped', (t) => {
  t.deepEqual(parseMountInfo('garbage\n27 1 254:0 / / rw - ext4\n'), []);
});

test('the mount of a path: the longest mount point containing it, whole path segments only', (t) => {
  const mounts = parseMountInfo(MOUNTINFO);
  t.is(mountOf(mounts, '/home/worker/repo')?.mountPoint, '/');
  t.is(mountOf(mounts, '/mnt/repo2/x')?.mountPoint, '/mnt/repo2');
  t.is(mountOf(mounts, '/mnt/repository/x')?.mountPoint, '/', '/mnt/repo does not contain /mnt/repository');
  t.is(mountOf(mounts, '/srv/shared repo/.locks')?.fstype, 'ext4');
  t.is(mountOf(mounts, '/srv/shared repo/node_modules/@openfn/x')?.fstype, 'tmpfs', 'a nested mount point wins');
  t.is(mountOf(mounts, '/srv/shared repo')?.mountPoint, '/srv/shared repo', 'the mount point itself');
});

test('a mount point mounted over: the last mount is the one in use', (t) => {
  t.is(mountOf(parseMountInfo(MOUNTINFO), '/mnt/repo/x')?.fstype, 'tmpfs');
});

test('a container: the overlay root holds everything not mounted separately', (t) => {
  const overlay =
    '500 400 0:60 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B,upperdir=/var/lib/docker/overlay2/C/diff,workdir=/var/lib/docker/overlay2/C/work\n' +
    '501 500 0:61 / /data rw,relatime - nfs4 fs-0123.efs.eu-west-1.amazonaws.com:/ rw,vers=4.1,noac\n';
  t.is(mountOf(parseMountInfo(overlay), '/root/.openfn/worker/repo')?.fstype, 'overlay');
  t.is(mountOf(parseMountInfo(overlay), '/data/repo')?.source, 'fs-0123.efs.eu-west-1.amazonaws.com:/');
});
