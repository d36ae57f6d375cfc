import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NpmRunner } from '../../src/index.js';

/**
 * An npm stand-in for unit tests of the install flow: `install --global --prefix`
 * writes a tiny package where real npm would; `ls` finds it whole; `view` answers
 * from `versions`.
 */
export function fakeNpm(versions: Record<string, string[]> = {}): NpmRunner & { calls: string[][]; installs(): string[][] } {
  const calls: string[][] = [];
  const runner: NpmRunner = async (args) => {
    calls.push([...args]);
    if (args[0] === 'ls') return { stdout: '{}', stderr: '' };
    if (args[0] === 'view') {
      const spec = args[1] as string;
      const name = spec.slice(0, spec.lastIndexOf('@'));
      return { stdout: JSON.stringify(versions[name] ?? []), stderr: '' };
    }
    const prefix = args[args.indexOf('--prefix') + 1] as string;
    const spec = args[args.length - 1] as string;
    const at = spec.lastIndexOf('@');
    const [name, version] = [spec.slice(0, at), spec.slice(at + 1)];
    const dir = path.join(prefix, 'lib', 'node_modules', name);
    await mkdir(path.join(dir, 'lib'), { recursive: true });
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
    await writeFile(path.join(dir, 'index.js'), `module.exports = require('./lib/value.js');`);
    await writeFile(path.join(dir, 'lib', 'value.js'), `module.exports = ${JSON.stringify(spec)};`);
    return { stdout: '', stderr: '' };
  };
  return Object.assign(runner, { calls, installs: () => calls.filter((args) => args[0] === 'install') });
}
