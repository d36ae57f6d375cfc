import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { publish, type Manifest } from './publish.js';

export interface LargeAdaptorOptions {
  /** The adaptor's version. Default 1.0.0. */
  version?: string;
  /** How many dependency packages the adaptor has. Default 16: @openfn/language-common@3.2.3 installs 17 packages. */
  packages?: number;
  /** Files in each dependency, package.json and index.js included; at least 3. Default 500, ~8,000 files in all. */
  filesPerPackage?: number;
}

interface GeneratedManifest extends Manifest {
  type?: 'module';
  main?: string;
  exports?: string;
  dependencies?: Record<string, string>;
}

/** Path inside the package to file content. */
type Files = Map<string, string>;

const adaptorName = '@fleet-fixtures/language-large';
const depVersion = '1.0.0';
const depName = (index: number): string => `@fleet-fixtures/large-dep-${index}`;

/**
 * Publishes `@fleet-fixtures/language-large@<version>`, an ESM adaptor of the size of a real
 * one: it depends on `packages` generated CommonJS packages `@fleet-fixtures/large-dep-<i>@1.0.0`
 * laid out like date-fns (`<fn>/index.js`, `esm/<fn>/index.js`, `locale/<xx>/_lib/*.js`).
 * It exports `name`, `version`, `dependencies` (each dependency's exports, by name), `fn` and
 * `setData(key, value)`. The content comes from a seeded PRNG, so every run publishes the same bytes.
 *
 * Dependencies already on the registry are kept, so publishing further versions of the adaptor
 * is cheap; they keep the `filesPerPackage` of the call that published them. Calls for one
 * registry may overlap: they take turns, and `latest` ends on the version published last.
 * Returns the specifier, e.g. `@fleet-fixtures/language-large@1.0.0`.
 */
export const publishLargeAdaptor = async (
  registryUrl: string,
  { version = '1.0.0', packages = 16, filesPerPackage = 500 }: LargeAdaptorOptions = {},
): Promise<string> => {
  if (!Number.isInteger(packages) || packages < 1 || !Number.isInteger(filesPerPackage) || filesPerPackage < 3) {
    throw new RangeError(`packages must be at least 1 and filesPerPackage at least 3, not ${packages} and ${filesPerPackage}`);
  }
  const deps = Array.from({ length: packages }, (_, index) => depName(index));
  const manifest: GeneratedManifest = {
    name: adaptorName,
    version,
    type: 'module',
    exports: './index.js',
    dependencies: Object.fromEntries(deps.map((name) => [name, depVersion])),
  };
  await inTurn(registryUrl, async () => {
    await Promise.all(deps.map((name, index) => publishDep(registryUrl, name, () => depFiles(name, index, filesPerPackage))));
    await publishFiles(registryUrl, manifest, new Map([['index.js', adaptorEntry(deps, version)]]));
  });
  return `${adaptorName}@${version}`;
};

// Verdaccio corrupts a packument when two versions of it are published at once, and overlapping
// calls would both publish a missing dependency. Only turns in progress are kept: a later registry
// may get the same URL, so whether a dependency is there is asked of the registry.
const turns = new Map<string, Promise<void>>();

const inTurn = (registryUrl: string, task: () => Promise<void>): Promise<void> => {
  const result = (turns.get(registryUrl) ?? Promise.resolve()).then(task);
  const settled = result.catch(() => undefined);
  turns.set(registryUrl, settled);
  void settled.then(() => {
    if (turns.get(registryUrl) === settled) turns.delete(registryUrl);
  });
  return result;
};

const publishDep = async (registryUrl: string, name: string, files: () => Files): Promise<void> => {
  if (await isPublished(registryUrl, name, depVersion)) return;
  await publishFiles(registryUrl, { name, version: depVersion, main: 'index.js' }, files());
};

const isPublished = async (registryUrl: string, name: string, version: string): Promise<boolean> => {
  const response = await fetch(new URL(encodeURIComponent(name), registryUrl));
  if (response.status === 404) {
    // Read to the end, or the connection stays busy.
    await response.arrayBuffer();
    return false;
  }
  if (!response.ok) throw new Error(`looking up ${name} failed: ${response.status} ${await response.text()}`);
  const packument = (await response.json()) as { versions?: Record<string, unknown> };
  return packument.versions?.[version] !== undefined;
};

/** Writes the files into a temporary folder, since `pack()` packs a folder, and publishes it. */
const publishFiles = async (registryUrl: string, manifest: GeneratedManifest, files: Files): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-large-fixture-'));
  try {
    const all: Files = new Map([['package.json', `${JSON.stringify(manifest, null, 2)}\n`], ...files]);
    await Promise.all([...new Set([...all.keys()].map(dirname))].map((folder) => mkdir(join(dir, folder), { recursive: true })));
    await Promise.all([...all].map(([path, content]) => writeFile(join(dir, path), content)));
    await publish(registryUrl, dir, manifest);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

const adaptorEntry = (deps: string[], version: string): string =>
  [
    '// Imports every dependency, as a real adaptor loads its whole tree.',
    ...deps.map((name, index) => `import dep${index} from '${name}';`),
    '',
    `export const name = '${adaptorName}';`,
    `export const version = '${version}';`,
    `export const dependencies = {`,
    ...deps.map((name, index) => `  '${name}': dep${index},`),
    '};',
    '',
    'export const fn = (f) => (state) => f(state);',
    '',
    'export const setData = (key, value) => (state) => ({ ...state, data: { ...state.data, [key]: value } });',
    '',
  ].join('\n');

/** The files of one dependency besides package.json: `filesPerPackage - 1` of them. */
const depFiles = (name: string, seed: number, filesPerPackage: number): Files => {
  const source = createSource(seed);
  const files: Files = new Map();
  const fns: string[] = [];
  // Units add their files in dependency order (an entry after what it requires), so cutting
  // the last unit short leaves no require pointing at a missing file.
  for (let count = 0; files.size < filesPerPackage - 2; count++) {
    // date-fns has about one locale to every six functions.
    const unit = count % 7 === 6 ? localeUnit(source) : fnUnit(source, fns);
    for (const [path, content] of unit) {
      if (files.size < filesPerPackage - 2) files.set(path, content);
    }
  }
  files.set('index.js', depEntry(name, fns.slice(0, 4)));
  return files;
};

const depEntry = (name: string, fns: string[]): string =>
  [
    "'use strict';",
    '',
    ...fns.map((fn) => `exports.${fn} = require('./${fn}/index.js').default;`),
    `exports.name = '${name}';`,
    `exports.version = '${depVersion}';`,
    '',
  ].join('\n');

/** One function, like a date-fns one: CommonJS and ESM builds, TypeScript and Flow types. */
const fnUnit = (source: Source, fns: string[]): Files => {
  const fn = uniqueName(source, fns);
  const required = fns.length > 0 && source.int(3) > 0 ? source.pick(fns) : undefined;
  fns.push(fn);
  const a = source.identifier();
  // Two parameters of one name are a syntax error in strict code (the ESM build).
  const b = uniqueName(source, [a]);
  const size = source.size();
  const doc = docComment(source, fn, size / 3);
  const body = fnBody(source, a, b, required === undefined ? undefined : '_required', size - doc.length - 350);
  const types = `${doc}declare function ${fn}(${a}: number, ${b}: number): number;\n`;
  return new Map([
    [`${fn}/index.js`, cjsModule(fn, a, b, doc, body, required)],
    [`${fn}/index.d.ts`, `${types}export default ${fn};\n`],
    [`${fn}/index.js.flow`, `// @flow\n${fill(types, source.size(), () => `// ${source.sentence()}\n`)}`],
    [`esm/${fn}/index.js`, esmModule(fn, a, b, doc, body, required)],
    [`esm/${fn}/index.d.ts`, `${types}export default ${fn};\n`],
  ]);
};

const cjsModule = (fn: string, a: string, b: string, doc: string, body: string, required?: string): string =>
  [
    "'use strict';",
    '',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    `exports.default = ${fn};`,
    ...(required === undefined ? [] : [`var _required = _interopRequireDefault(require("../${required}/index.js"));`]),
    '',
    `${doc}function ${fn}(${a}, ${b}) {`,
    body,
    '}',
    '',
    'function _interopRequireDefault(obj) { return obj && obj.__esModule ? obj : { default: obj }; }',
    '',
  ].join('\n');

const esmModule = (fn: string, a: string, b: string, doc: string, body: string, required?: string): string =>
  [
    ...(required === undefined ? [] : [`import _requiredDefault from "../${required}/index.js";`, 'var _required = { default: _requiredDefault };']),
    '',
    `${doc}export default function ${fn}(${a}, ${b}) {`,
    body,
    '}',
    '',
  ].join('\n');

/** Arithmetic on the arguments, a table and the required function, about `size` characters long. */
const fnBody = (source: Source, a: string, b: string, required: string | undefined, size: number): string => {
  const table = source.identifier().toUpperCase();
  const numbers = Array.from({ length: 4 + source.int(12) }, () => source.int(10_000));
  const lines = [`  var ${table} = [${numbers.join(', ')}];`, `  var result = (${a} | 0) + ${source.int(1000)};`];
  if (required !== undefined) lines.push(`  result = (0, ${required}.default)(result, ${b});`);
  const statements = [
    () => `  result = (result * ${1 + source.int(997)} + (${b} | 0)) % ${1 + source.int(65_521)};`,
    () => `  result ^= ${table}[(result >>> 0) % ${table}.length];`,
    () => `  if (result > ${source.int(50_000)}) result -= ${source.int(10_000)};`,
    () => `  var ${source.identifier()} = result + ${source.int(1 << 16)};\n  result = (result + ${source.int(256)}) | 0;`,
    () => `  // ${source.sentence()}`,
  ];
  const filled = fill(lines.join('\n'), size, () => `\n${source.pick(statements)()}`);
  return `${filled}\n  return result;`;
};

/** One locale, like date-fns's `locale/<code>/`: an index that requires its five parts. */
const localeUnit = (source: Source): Files => {
  const code = `${source.letters(2)}${source.int(2) === 0 ? '' : `-${source.letters(2).toUpperCase()}`}`;
  const parts = ['formatDistance', 'formatLong', 'formatRelative', 'localize', 'match'];
  const files: Files = new Map(parts.map((part) => [`locale/${code}/_lib/${part}.js`, localePart(source, part)]));
  const index = [
    "'use strict';",
    '',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    ...parts.map((part) => `var _${part} = require("./_lib/${part}.js");`),
    'var locale = {',
    `  code: '${code}',`,
    ...parts.map((part) => `  ${part}: _${part}.default,`),
    `  options: { weekStartsOn: ${source.int(7)}, firstWeekContainsDate: ${1 + source.int(7)} }`,
    '};',
    'exports.default = locale;',
    '',
  ].join('\n');
  files.set(`locale/${code}/index.js`, `${docComment(source, code, source.size() - index.length)}${index}`);
  files.set(`locale/${code}/index.d.ts`, `${docComment(source, code, 300)}declare const locale: Record<string, unknown>;\nexport default locale;\n`);
  return files;
};

const localePart = (source: Source, part: string): string => {
  const head = `'use strict';\n\nObject.defineProperty(exports, "__esModule", { value: true });\nvar ${part}Locale = {`;
  const entry = (): string =>
    `\n  ${source.identifier()}: {\n    one: '${source.sentence()}',\n    other: '${source.sentence()} {{count}}'\n  },`;
  return `${fill(head, source.size() - 60, entry)}\n};\nexports.default = ${part}Locale;\n`;
};

const docComment = (source: Source, title: string, size: number): string =>
  `${fill(`/**\n * @name ${title}\n * @summary ${source.sentence()}`, size, () => `\n * ${source.sentence()}`)}\n */\n`;

/** Appends pieces to `start` until it is at least `size` characters long. */
const fill = (start: string, size: number, piece: () => string): string => {
  let text = start;
  while (text.length < size) text += piece();
  return text;
};

const uniqueName = (source: Source, taken: string[]): string => {
  // Compared lower-case: the names become folder names, and some file systems ignore case.
  const lower = new Set(taken.map((name) => name.toLowerCase()));
  for (;;) {
    const name = source.name();
    if (!lower.has(name.toLowerCase())) return name;
  }
};

// Words of date and data libraries, none of them a reserved word on its own.
const words = (
  'add sub date time day week month year start end format parse interval locale option value result index count offset ' +
  'zone round quarter hour minute second business weekend difference closest compare valid iso unix epoch calendar ' +
  'distance strict relative duration set get last next previous each within overlap max min range token pattern match ' +
  'width narrow abbreviated wide era ordinal number string buffer record field cache queue stream request response ' +
  'header payload batch merge split encode decode state data item list map reduce filter sort group key path cursor ' +
  'page limit retry timeout schema column table row query client session secret scope'
).split(' ');

interface Source {
  /** An integer from 0 to `below - 1`. */
  int(below: number): number;
  pick<T>(items: readonly T[]): T;
  /** camelCase of two or three words, new ones with each call: for names that must differ. */
  name(): string;
  /**
   * One of a small set of names and sentences. Code repeats its names and phrases; with all of
   * them new, gzip would shrink the tree 4× instead of about 11×, like the real ones.
   */
  identifier(): string;
  sentence(): string;
  letters(count: number): string;
  /** A file size, from 0.5 to 8 KB. */
  size(): number;
}

const createSource = (seed: number): Source => {
  const random = mulberry32(seed);
  const int = (below: number): number => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const capitalised = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
  const name = (): string => pick(words) + Array.from({ length: 1 + int(2) }, () => capitalised(pick(words))).join('');
  const identifiers = Array.from({ length: 128 }, name);
  const sentences = Array.from({ length: 64 }, () => capitalised(Array.from({ length: 4 + int(10) }, () => pick(words)).join(' ')) + '.');
  return {
    int,
    pick,
    name,
    identifier: () => pick(identifiers),
    sentence: () => pick(sentences),
    letters: (count) => Array.from({ length: count }, () => String.fromCharCode(97 + int(26))).join(''),
    size: () => Math.round(512 + 7680 * random()),
  };
};

/** A small seeded PRNG (mulberry32): Math.random cannot be seeded. */
const mulberry32 = (seed: number): (() => number) => {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
