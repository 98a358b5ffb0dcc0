/**
 * The rule of the session management routes (end a session, open its AWS endpoint or its HTTP
 * gateway): only the process that rooted the session may, matched by pid and start time as
 * attested. An agent inside the session is a descendant, never the root, so it cannot.
 */
import { AgentIdError } from '../src/errors.js';
import type { Session } from '../src/sessions/index.js';
import type { DaemonDeps } from './deps.js';
import type { Caller } from './identify.js';

export function sessionRootedAt(deps: DaemonDeps, caller: Caller, id: string): Session {
  const session = deps.sessions.find({
    pid: caller.attestation.pid,
    startTime: caller.attestation.startTime,
    ancestors: [],
  });
  if (session?.id !== id) {
    throw new AgentIdError('ERR_SESSION_NOT_FOUND', `no session ${id.slice(0, 64)} rooted at this process`);
  }
  return session;
}
