/**
 * Which agent is calling: the most specific definition whose selectors all match, weighed
 * against what the caller's `agentid exec` session declares. Selector evidence always outranks a
 * declaration: any process of the user can start its own session and declare any name, so a
 * declaration only names a caller that no definition claims, and never overrides one that does.
 * What a session can never do is widen: every request from inside it is decided for the
 * session's agent too (src/sessions/narrow.ts), whatever name selectors give the caller.
 *
 * The evidence (evidence.ts) says how the name was established: by the session for a name it
 * declared, by the winning definition's selectors otherwise, whichever is stronger.
 */
import { type AgentDefinition, agentTable } from './definitions.js';
import { EVIDENCE, type Evidence, selectorEvidence, sessionEvidence } from './evidence.js';
import { imageTrusted, isAgentName, type MatchSubject, selectorMatches } from './selectors.js';

export interface AgentMatch {
  /** 'unknown' when nothing matched. */
  name: string;
  evidence: Evidence;
  /** Selector kinds of the winning definition, e.g. ['sha256', 'cwd']; [] when no definition won. */
  matched: string[];
  /** Human-readable why, for `agentid whoami` (e.g. 'sha256 and cwd of [agents.claude] matched'). */
  reason: string;
}

export function resolveAgent(definitions: readonly AgentDefinition[], subject: MatchSubject): AgentMatch {
  const match = resolveName(definitions, subject);
  if (imageTrusted(subject.attestation) || !definitions.some(usesImage)) return match;
  return withNote(
    match,
    'exe, sha256 and cmdline selectors did not count: the connection is not close-on-exec, or another ' +
      'program holds it too, so the code that sends may not be the code this process runs',
  );
}

function resolveName(definitions: readonly AgentDefinition[], subject: MatchSubject): AgentMatch {
  const matching = definitions.filter((d) => d.selectors.every((s) => selectorMatches(s, subject)));
  // Load-time tie checks leave one definition per specificity that can match; on hand-built,
  // unchecked definitions the first of equals wins.
  const best = matching.reduce<AgentDefinition | undefined>(
    (winner, d) => (winner === undefined || d.specificity > winner.specificity ? d : winner),
    undefined,
  );
  const found: AgentMatch | null = best ? selectorMatch(best) : null;
  const noMatch = 'no agent definition matched';
  const session = subject.session;
  if (session === null || session.agent === null) return found ?? none(noMatch);

  const declared = session.agent;
  const by = `session ${session.id}`;
  if (!isAgentName(declared)) {
    const note = `${by} declared ${JSON.stringify(declared)}, which is not a valid agent name`;
    return found ? withNote(found, note) : none(`${noMatch}; ${note}`);
  }

  const declaredDefinition = definitions.find((d) => d.name === declared);
  if (declaredDefinition === undefined) {
    if (found) return withNote(found, `selector evidence outranks the declaration of "${declared}" by ${by}`);
    return {
      name: declared,
      evidence: sessionEvidence(session.membership),
      matched: [],
      reason: `declared by ${by} (agentid exec --agent ${declared}); no ${agentTable(declared)} to check it against`,
    };
  }
  if (!matching.includes(declaredDefinition)) {
    const note = `${by} declared "${declared}" but the selectors of ${agentTable(declared)} did not match`;
    return found ? withNote(found, note) : none(`${noMatch}; ${note}`);
  }
  // The declared definition matched, so `best` is it or one more specific than it.
  const winner = best ?? declaredDefinition;
  if (winner !== declaredDefinition) {
    return withNote(
      selectorMatch(winner),
      `it is more specific (${winner.specificity}) than ${agentTable(declared)} ` +
        `(${declaredDefinition.specificity}), which ${by} declared and which matched too`,
    );
  }
  const confirmed = selectorMatch(winner);
  return {
    ...confirmed,
    evidence: stronger(confirmed.evidence, sessionEvidence(session.membership)),
    reason: `${confirmed.reason}, confirming what ${by} declared`,
  };
}

function stronger(a: Evidence, b: Evidence): Evidence {
  return EVIDENCE.indexOf(a) <= EVIDENCE.indexOf(b) ? a : b;
}

function usesImage(definition: AgentDefinition): boolean {
  return definition.selectors.some((s) => s.kind === 'exe' || s.kind === 'sha256' || s.kind === 'cmdline');
}

/** Whether any definition names processes by what they run (and so needs sender checks). */
export function usesImageSelectors(definitions: readonly AgentDefinition[]): boolean {
  return definitions.some(usesImage);
}

function selectorMatch(definition: AgentDefinition): AgentMatch {
  const matched = definition.selectors.map((s) => s.kind);
  return {
    name: definition.name,
    evidence: selectorEvidence(matched),
    matched,
    reason: `${listOf(matched)} of ${agentTable(definition.name)} matched`,
  };
}

function none(reason: string): AgentMatch {
  return { name: 'unknown', evidence: 'none', matched: [], reason };
}

function withNote(match: AgentMatch, note: string): AgentMatch {
  return { ...match, reason: `${match.reason}; ${note}` };
}

/** ['a'] → 'a', ['a', 'b', 'c'] → 'a, b and c'. */
function listOf(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
