/**
 * Hypothetical requests for `agentid policy explain` and `agentid policy test`: a few named
 * facts (agent, credential, groups, repo, ...) filled out to a full PolicyInput with neutral
 * defaults, so a policy can be tried without an agent, a login or a daemon.
 */
import { AgentIdError } from '../errors.js';
import { POLICY_ACTIONS, type PolicyAction, type PolicyInput } from './types.js';

export interface WhatIf {
  agent: string;
  credential: string;
  /** Credential type = policy action; default jwt. */
  type?: string;
  /** How the agent was named; default selector (none for `unknown`). */
  evidence?: string;
  groups?: readonly string[];
  /** Git remote URL of the process's cwd. */
  repo?: string;
  cwd?: string;
  idp?: string;
  /** The human's subject; default `<idp>:what-if`. */
  user?: string;
  email?: string;
  mfa?: boolean;
  uid?: number;
  exe?: string;
  /** An exec session id: the process runs inside `agentid exec`. */
  session?: string;
  request?: Readonly<Record<string, string>>;
}

export interface WhatIfDefaults {
  uid: number;
  now: Date;
}

const EVIDENCE = ['selector', 'declared', 'none'] as const;

export function whatIfInput(spec: WhatIf, defaults: WhatIfDefaults): PolicyInput {
  const type = spec.type ?? 'jwt';
  if (!(POLICY_ACTIONS as readonly string[]).includes(type)) {
    throw new AgentIdError(
      'ERR_USAGE',
      `credential type "${type}" is not one of ${POLICY_ACTIONS.join(', ')}`,
    );
  }
  const evidence = spec.evidence ?? (spec.agent === 'unknown' ? 'none' : 'selector');
  if (!(EVIDENCE as readonly string[]).includes(evidence)) {
    throw new AgentIdError('ERR_USAGE', `evidence "${evidence}" is not one of ${EVIDENCE.join(', ')}`);
  }
  const idp = spec.idp ?? 'local';
  if (idp !== 'local' && idp !== 'oidc')
    throw new AgentIdError('ERR_USAGE', `idp "${idp}" is not local or oidc`);
  return {
    agent: { name: spec.agent, evidence: evidence as PolicyInput['agent']['evidence'], matched: [] },
    process: {
      pid: 0,
      uid: spec.uid ?? defaults.uid,
      exe: spec.exe ?? '',
      sha256: null,
      cwd: spec.cwd ?? null,
      repo: spec.repo ? { root: spec.cwd ?? '', remote: spec.repo } : null,
      ancestors: [],
    },
    human: {
      sub: spec.user ?? `${idp}:what-if`,
      idp,
      email: spec.email ?? null,
      groups: spec.groups ?? [],
      mfa: spec.mfa ?? false,
    },
    session: spec.session ? { id: spec.session, via: 'exec' } : null,
    // A gateway decision is about a route, not a credential.
    credential: {
      name: spec.credential,
      type: type as PolicyAction,
      ...(type === 'http' ? { entity: 'Route' } : {}),
    },
    request: spec.request ?? {},
    time: defaults.now,
  };
}
