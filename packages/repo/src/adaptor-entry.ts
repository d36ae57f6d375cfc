import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

type Exports = string | null | { [key: string]: Exports } | Exports[];

// An adaptor is loaded with `import()`, so ESM conditions win over CommonJS ones.
const CONDITIONS = ['import', 'node', 'default', 'require'];

/**
 * The absolute path of the entry file of the adaptor in `folder`: its `exports`
 * for `.` (preferring ESM conditions), then `main`, then `index.js`. The only
 * code that knows how an adaptor folder is laid out.
 */
export async function adaptorEntry(folder: string): Promise<string> {
  const root = path.resolve(folder);
  let manifest: { exports?: Exports; main?: unknown };
  try {
    manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  } catch {
    throw new Error(`The adaptor at ${root} is not installed (it has no readable package.json)`);
  }
  const fromExports = pickTarget(rootExport(manifest.exports));
  const candidates = fromExports
    ? [fromExports]
    : typeof manifest.main === 'string'
      ? [manifest.main, `${manifest.main}.js`, path.join(manifest.main, 'index.js')]
      : ['index.js'];
  for (const candidate of candidates) {
    const file = path.resolve(root, candidate);
    // The entry must stay inside the adaptor's folder.
    if (file.startsWith(root + path.sep) && (await isFile(file))) return file;
  }
  throw new Error(`The adaptor at ${root} has no entry file (tried ${candidates.join(', ')})`);
}

// `exports` is either the root target itself, or a map whose "." key is.
function rootExport(exports: Exports | undefined): Exports | undefined {
  if (exports && typeof exports === 'object' && !Array.isArray(exports)) {
    const keys = Object.keys(exports);
    if (keys.some((key) => key.startsWith('.'))) return exports['.'];
  }
  return exports;
}

function pickTarget(target: Exports | undefined): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) return target.map(pickTarget).find(Boolean);
  if (!target) return undefined;
  for (const condition of CONDITIONS) {
    const picked = pickTarget(target[condition]);
    if (picked) return picked;
  }
  return undefined;
}

const isFile = (file: string): Promise<boolean> =>
  stat(file).then(
    (stats) => stats.isFile(),
    () => false,
  );
