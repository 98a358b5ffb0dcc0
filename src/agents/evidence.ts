/**
 * How an agent's name was established, strongest first: policy reads it as
 * `context.agent.evidence` (SECURITY.md, "Evidence"). A name given by an `agentid exec` session is
 * as strong as the session's hold on its processes: a sandbox (a user namespace the processes
 * cannot leave), a subreaper session (ancestry, with orphans kept in the tree), or ancestry alone
 * (a process that leaves the tree leaves the session). A name from selectors says what a process
 * runs, not who started it: a hash of the running binary is stronger than a path, an argv or a
 * directory. `none`: nothing named the caller (`unknown`).
 */

export const EVIDENCE = ['sandbox', 'session', 'selector-sha256', 'selector', 'declared', 'none'] as const;
export type Evidence = (typeof EVIDENCE)[number];

/** How a session holds its processes; set when it starts, `sandbox` once its namespace is registered. */
export const SESSION_MEMBERSHIPS = ['sandbox', 'subreaper', 'ancestry'] as const;
export type SessionMembership = (typeof SESSION_MEMBERSHIPS)[number];

/** The evidence of a name that a session gave, by how the caller belongs to that session. */
export function sessionEvidence(membership: SessionMembership): Evidence {
  switch (membership) {
    case 'sandbox':
      return 'sandbox';
    case 'subreaper':
      return 'session';
    case 'ancestry':
      return 'declared';
  }
}

/** The evidence of a name that selectors gave. */
export function selectorEvidence(matched: readonly string[]): Evidence {
  return matched.includes('sha256') ? 'selector-sha256' : 'selector';
}
