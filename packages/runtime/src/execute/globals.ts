import vm from 'node:vm';
import { messageOf, RuntimeCrash } from './errors.js';
import { createLinker, refuseDynamicImport } from './linker.js';
import type { Log } from './log.js';
import { realmOf } from './realm.js';
import { CODE_GENERATION } from './sandbox.js';

/**
 * Loads the workflow's `globals` module once per plan, in a context of its own,
 * and returns its exports for every step's sandbox. It may import the runtime's
 * helpers but no adaptor: it belongs to no step.
 */
export async function loadGlobals(source: string, console: Log, cacheKey: string): Promise<Record<string, unknown>> {
  const sandbox: Record<string, unknown> = {};
  const context = vm.createContext(sandbox, { codeGeneration: CODE_GENERATION });
  sandbox.console = realmOf(context).console(console);
  try {
    const module = new vm.SourceTextModule(source, {
      identifier: 'globals.js',
      context,
      importModuleDynamically: refuseDynamicImport,
    });
    await module.link(createLinker({ owner: 'the workflow globals', adaptors: {}, cacheKey, context }));
    await module.evaluate();
    return { ...(module.namespace as Record<string, unknown>) };
  } catch (error) {
    const name = (error as Error | undefined)?.name ?? 'Error';
    throw new RuntimeCrash(`[globals] ${name}: ${messageOf(error)}`, name);
  }
}
