/**
 * Which session a process belongs to, and how strongly. A sandboxed session holds every process
 * in its user namespace, a fact the process cannot shed: not by setsid, double fork, reparenting
 * or killing the wrapper. Within it, or without a sandbox, the nearest session rooted at the
 * process or an ancestor counts (sessions nested inside a sandbox, and unsandboxed sessions,
 * whose wrapper is a child subreaper so that orphans stay in its tree). Ancestry can never lead
 * out of a sandbox: a session found by ancestry that is not inside the sandbox's session is
 * ignored in favour of the sandbox's.
 */
import type { SessionMembership } from '../agents/index.js';
import type { SessionRecord } from '../protocol/index.js';
import type { ProcessChain, SessionRegistry } from './registry.js';

export interface Membership {
  session: SessionRecord;
  /** How the process belongs to `session`. */
  membership: SessionMembership;
  /** The process is inside a registered sandbox (of `session` or one it runs in). */
  sandboxed: boolean;
}

export function membershipOf(
  registry: SessionRegistry,
  process: ProcessChain & { userns: readonly string[] },
): Membership | null {
  const sandbox = registry.byUserns(process.userns);
  const nearest = registry.byAncestry(process);
  if (sandbox) {
    if (nearest && nearest !== sandbox && registry.within(nearest, sandbox)) {
      return { session: nearest, membership: byAncestry(nearest), sandboxed: true };
    }
    return { session: sandbox, membership: 'sandbox', sandboxed: true };
  }
  return nearest ? { session: nearest, membership: byAncestry(nearest), sandboxed: false } : null;
}

/** How the session holds processes found below its root (among them the root itself). */
export function byAncestry(session: SessionRecord): SessionMembership {
  return session.subreaper ? 'subreaper' : 'ancestry';
}

/** Whether the process belongs to `session` or to a session started inside it. */
export function inSession(
  registry: SessionRegistry,
  process: ProcessChain & { userns: readonly string[] },
  session: SessionRecord,
): boolean {
  const member = membershipOf(registry, process);
  return member !== null && registry.within(member.session, session);
}
