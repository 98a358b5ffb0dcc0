/**
 * `[agents.<name>]` tables of config.toml to agent definitions. Everything that could make the
 * answer to "which agent is this?" ambiguous or silently wrong is refused at load, naming the
 * file, the table and the key: an unknown selector, a value that could never match, and two
 * definitions that tie on specificity yet may match the same process.
 */
import { AgentIdError } from '../errors.js';
import {
  agentNameRule,
  isAgentName,
  isSelectorKind,
  parseSelector,
  type Selector,
  selectorKinds,
  selectorsDisjoint,
  selectorWeights,
} from './selectors.js';

export interface AgentDefinition {
  name: string;
  /** In the order of `selectorKinds`, strongest first. */
  selectors: Selector[];
  /** Sum of `selectorWeights` over the selectors; the most specific matching definition wins. */
  specificity: number;
}

/** `agents` is the value of the `agents` key of the parsed TOML; `source` names the file. */
export function parseAgentDefinitions(agents: unknown, source: string): AgentDefinition[] {
  function fail(message: string): never {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: ${message}`);
  }
  if (!isTable(agents)) fail('"agents" must be a table of [agents.<name>] tables');

  const definitions: AgentDefinition[] = [];
  for (const [name, table] of Object.entries(agents)) {
    const label = agentTable(name);
    if (!isTable(table)) fail(`${label} must be a table of selectors`);
    if (name === 'unknown') fail(`${label} "unknown" is reserved for callers that match no agent`);
    if (!isAgentName(name)) fail(`${label} invalid agent name: ${agentNameRule}`);

    const selectors: Selector[] = [];
    for (const [key, value] of Object.entries(table)) {
      if (!isSelectorKind(key)) {
        // `[agents.claude.v2]` is a table v2 inside [agents.claude]; the name wanted quotes.
        const hint = isTable(value) ? ` (a name with "." is written quoted: [agents."${name}.${key}"])` : '';
        fail(`${label} unknown selector "${key}"${hint}; known: ${selectorKinds.join(', ')}`);
      }
      const selector = parseSelector(key, value);
      if ('error' in selector) fail(`${label} ${selector.error}`);
      selectors.push(selector);
    }
    if (selectors.length === 0) {
      fail(`${label} has no selectors; give it at least one of ${selectorKinds.join(', ')}`);
    }

    selectors.sort((a, b) => selectorKinds.indexOf(a.kind) - selectorKinds.indexOf(b.kind));
    const specificity = selectors.reduce((sum, s) => sum + selectorWeights[s.kind], 0);
    definitions.push({ name, selectors, specificity });
  }

  // With no two equally specific definitions able to match one process, the winner of any match
  // is unique and does not depend on the order of tables in the file.
  for (const [i, a] of definitions.entries()) {
    for (const b of definitions.slice(i + 1)) {
      if (a.specificity === b.specificity && !definitionsDisjoint(a, b)) {
        fail(
          `${agentTable(a.name)} and ${agentTable(b.name)} tie (specificity ${a.specificity}) ` +
            'and may match the same process; make one more specific',
        );
      }
    }
  }
  return definitions;
}

/** Every selector must match, so one pair that can never both match separates the definitions. */
function definitionsDisjoint(a: AgentDefinition, b: AgentDefinition): boolean {
  return a.selectors.some((sa) => b.selectors.some((sb) => selectorsDisjoint(sa, sb)));
}

/** The table header as the user would write it, for messages. */
export function agentTable(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? `[agents.${name}]` : `[agents.${JSON.stringify(name)}]`;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
