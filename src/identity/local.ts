/**
 * The human when no identity provider is configured: the local OS user. Named
 * `local:<user>@<host>` so a policy or an audit reader can never mistake it for an SSO subject.
 */
import type { HumanView } from '../protocol/index.js';

export function localHuman(user: string, host: string): HumanView {
  return { sub: `local:${user}@${host}`, idp: 'local', user, host };
}
