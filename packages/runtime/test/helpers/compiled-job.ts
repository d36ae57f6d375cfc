import * as acorn from 'acorn';
import vm from 'node:vm';

/** The named imports of a module, by source: what the compiler decided to import. */
export function importsOf(code: string): Record<string, string[]> {
  const program = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  const imports: Record<string, string[]> = {};
  for (const statement of program.body) {
    if (statement.type !== 'ImportDeclaration') continue;
    const names = statement.specifiers.map((specifier) => specifier.local.name);
    imports[String(statement.source.value)] = [...(imports[String(statement.source.value)] ?? []), ...names];
  }
  return imports;
}

/** The sources a module re-exports with `export * from`. */
export function starExportsOf(code: string): string[] {
  const program = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  return program.body.flatMap((statement) =>
    statement.type === 'ExportAllDeclaration' ? [String(statement.source.value)] : [],
  );
}

type Operation = (state: unknown) => unknown;

/** What the executor serves as `@openfn/runtime` to compiled jobs. */
export const fakeRuntime = {
  defer:
    (operation: Operation, chain: (promise: Promise<unknown>) => Promise<unknown>): Operation =>
    (state) =>
      chain(Promise.resolve().then(() => operation(state))),
};

/**
 * Links and evaluates compiled code the way the executor does: a
 * `vm.SourceTextModule` in a fresh context, each import served from `modules`.
 */
export async function loadCompiledJob(
  code: string,
  modules: Record<string, Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const context = vm.createContext({});
  const job = new vm.SourceTextModule(code, { context });
  await job.link((specifier) => {
    const exports = modules[specifier];
    if (!exports) throw new Error(`the job imports ${specifier}, which the test does not provide`);
    return new vm.SyntheticModule(
      Object.keys(exports),
      function () {
        for (const [name, value] of Object.entries(exports)) this.setExport(name, value);
      },
      { context },
    );
  });
  await job.evaluate();
  return job.namespace as Record<string, unknown>;
}

/** Runs operations in order, each receiving the previous one's result, as the executor does without `execute`. */
export async function runOperations<S>(operations: Array<(state: S) => S | Promise<S>>, state: S): Promise<S> {
  let current = state;
  for (const operation of operations) current = await operation(current);
  return current;
}

/** Code with every run of whitespace made one space, for comparing printed output. */
export const squash = (code: string): string => code.replace(/\s+/g, ' ').trim();

/** The module's default export statement, squashed: the operations the compiler collected. */
export const operationsOf = (code: string): string => squash(code.slice(code.indexOf('export default')));
