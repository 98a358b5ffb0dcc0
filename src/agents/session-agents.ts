/**
 * Every agent a process of an `agentid exec` session could be named when it asks for a
 * credential later, known when the session starts (for the exec pre-check). Which processes the
 * session will run, and so what their selectors will see, is not known yet: a definition is a
 * candidate unless one of its selectors can never match inside this session (another uid — the
 * daemon serves only its own —, or a `session` selector naming another declared agent). Sound,
 * not complete: the list may hold agents no process ends up being, never misses one. Pure.
 */
import type { AgentDefinition } from './definitions.js';
import type { AgentMatch } from './resolve.js';
import { isAgentName } from './selectors.js';

export function sessionAgents(
  definitions: readonly AgentDefinition[],
  declared: string | null,
  uid: number,
): Pick<AgentMatch, 'name' | 'evidence' | 'matched'>[] {
  const possible = definitions.filter((d) =>
    d.selectors.every(
      (s) => (s.kind !== 'uid' || s.value === uid) && (s.kind !== 'session' || s.value === declared),
    ),
  );
  const candidates: Pick<AgentMatch, 'name' | 'evidence' | 'matched'>[] = possible.map((d) => ({
    name: d.name,
    evidence: 'selector',
    matched: d.selectors.map((s) => s.kind),
  }));
  const valid = declared !== null && isAgentName(declared);
  const undefinedDeclaration = valid && !definitions.some((d) => d.name === declared);
  // A process no definition matches is the declared agent when it has no definition, else unknown.
  if (undefinedDeclaration) candidates.push({ name: declared, evidence: 'declared', matched: [] });
  else candidates.push({ name: 'unknown', evidence: 'none', matched: [] });
  return candidates;
}
