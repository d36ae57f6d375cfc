import vm from 'node:vm';
import type { EdgeCondition, Step } from '../plan.js';
import { EdgeConditionError, messageOf, ValidationError } from './errors.js';
import { isRecord } from './is-record.js';
import type { Log } from './log.js';
import { realmOf, type Realm } from './realm.js';
import { CODE_GENERATION } from './sandbox.js';

type Condition = (state: unknown, upstreamStepId: string) => unknown;

/** An edge that may be followed; edges that never can (false, disabled) are dropped when compiled. */
interface Edge {
  target: string;
  condition: Condition;
}

/** The outgoing edges of every step, by step id. */
export type Edges = Map<string, Edge[]>;

// Own keys only: a step called `constructor` has not failed because every object has one.
const hasError = (state: unknown, stepId: string): boolean =>
  isRecord(state) && isRecord(state.errors) && Object.hasOwn(state.errors, stepId) && state.errors[stepId] !== undefined;

const NAMED_CONDITIONS: Record<string, Condition> = {
  always: () => true,
  on_job_success: (state, upstreamStepId) => !hasError(state, upstreamStepId),
  on_upstream_success: (state, upstreamStepId) => !hasError(state, upstreamStepId),
  on_job_failure: (state, upstreamStepId) => hasError(state, upstreamStepId),
  on_upstream_fail: (state, upstreamStepId) => hasError(state, upstreamStepId),
};

/**
 * Compiles every edge condition of the plan once, before anything runs, so a
 * condition that does not parse fails the plan up front. Expressions run in one
 * context shared by the plan's conditions, which exposes only `console`; each
 * reads a copy of the state made in that context.
 */
export function compileEdges(steps: Iterable<Step>, console: Log): Edges {
  const sandbox: Record<string, unknown> = {};
  const context = vm.createContext(sandbox, { codeGeneration: CODE_GENERATION });
  const realm = realmOf(context);
  sandbox.console = realm.console(console);
  const edges: Edges = new Map();
  const failures: string[] = [];
  for (const step of steps) {
    const compiled: Edge[] = [];
    for (const [target, edge] of Object.entries(step.next ?? {})) {
      const source = conditionSource(edge);
      if (source === undefined) continue;
      try {
        compiled.push({ target, condition: toCondition(source, context, realm) });
      } catch (error) {
        failures.push(`${step.id}->${target} (${messageOf(error)})`);
      }
    }
    edges.set(step.id, compiled);
  }
  if (failures.length > 0) throw new ValidationError(`Failed to compile edge condition ${failures.join('; ')}`);
  return edges;
}

/** The targets of `edges` whose condition holds for the state a step produced. */
export function followedTargets(edges: Edge[], state: unknown, stepId: string): string[] {
  return edges
    .filter(({ target, condition }) => {
      try {
        return Boolean(condition(state, stepId));
      } catch (error) {
        throw new EdgeConditionError(`${stepId}->${target}`, messageOf(error));
      }
    })
    .map(({ target }) => target);
}

/** `true` for an unconditional edge, a condition's source, or undefined for an edge never followed. */
function conditionSource(edge: EdgeCondition | null | undefined): true | string | undefined {
  if (typeof edge === 'string' || typeof edge === 'boolean') return edge || undefined;
  if (!edge || edge.disabled) return undefined;
  // The reference runtime skips an enabled edge object without a condition. We follow it:
  // an edge that is drawn, enabled and unconditional reads as "always".
  return edge.condition || true;
}

function toCondition(source: true | string, context: vm.Context, realm: Realm): Condition {
  if (source === true) return () => true;
  if (Object.hasOwn(NAMED_CONDITIONS, source)) return NAMED_CONDITIONS[source];
  // compileFunction parses a function body, so the source cannot close the function and
  // run code at compile time; the newlines keep a trailing `// comment` from eating the `)`.
  const condition = vm.compileFunction(`return (\n${source}\n);`, ['state', 'upstreamStepId'], {
    parsingContext: context,
  }) as Condition;
  // The condition reads the context's own copy of the state, never a host object.
  return (state, upstreamStepId) => condition(realm.copy(state), upstreamStepId);
}
