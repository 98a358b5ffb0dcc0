/** Human-readable login state, for `agentid status` and the end of `agentid login`. */
import type { HumanView, LoginStatusView } from '../src/protocol/index.js';

export function formatHuman(human: HumanView): string {
  const who = human.email ? `${human.email} (sub ${human.sub})` : human.sub;
  const groups = human.groups?.length ? `; groups: ${human.groups.join(', ')}` : '';
  return `${who}${groups}`;
}

export function formatLogin(login: LoginStatusView): string {
  if (login.state === 'local') return `local user ${login.human?.sub ?? ''} (no [idp] configured)`;
  const at = `at ${login.issuer}`;
  switch (login.state) {
    case 'logged-in':
      return login.human
        ? `${formatHuman(login.human)} ${at}, until ${login.expiresAt} (refreshed automatically)`
        : `session stored ${at}, not refreshed yet${login.reason ? `: ${login.reason}` : ''}`;
    case 'login-required':
      return `login required ${at} (${login.reason}); run: agentid login`;
    default:
      return `not logged in ${at}; run: agentid login`;
  }
}
