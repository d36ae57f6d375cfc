import test from 'ava';

/**
 * Defines a file's tests, or one skipped test that says why they cannot run on
 * this machine (root, namespaces, FUSE, tmpfs…), so a skip is never silent.
 */
export function testsUnless(unavailable: string | undefined, what: string, define: () => void): void {
  if (!unavailable) return define();
  console.log(`${what} skipped: ${unavailable}`);
  test.skip(`${what} (skipped on this machine: ${unavailable})`, () => undefined);
}
