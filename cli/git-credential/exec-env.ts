/**
 * What `agentid exec --git NAME` adds to the child's environment: git's own
 * GIT_CONFIG_COUNT/KEY_n/VALUE_n, so the child's git asks our helper for the credential's hosts
 * without a byte of the user's git config changing. Entries are appended after any the parent
 * already passes. Plain http is set up only for loopback hosts (local test servers): anywhere
 * else a token must not be offered over an unencrypted connection.
 */
import { helperCommand } from './setup-plan.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

export function gitHelperEnv(
  parent: Readonly<Record<string, string | undefined>>,
  options: { hosts: readonly string[]; credential: string; node: string; script: string },
): Record<string, string> {
  const helper = helperCommand({
    helper: [options.node, options.script, 'git-credential'],
    credential: options.credential,
  });
  const entries: [string, string][] = [];
  for (const host of options.hosts) {
    const schemes = LOOPBACK.test(host) ? ['https', 'http'] : ['https'];
    for (const scheme of schemes) {
      const url = `${scheme}://${host.toLowerCase()}`;
      // The empty helper resets any helper from broader config, as `agentid setup git` does.
      entries.push([`credential.${url}.helper`, ''], [`credential.${url}.helper`, helper]);
      entries.push([`credential.${url}.useHttpPath`, 'true']);
    }
  }
  const start = Number.parseInt(parent.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(start + entries.length) };
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${start + i}`] = key;
    env[`GIT_CONFIG_VALUE_${start + i}`] = value;
  });
  return env;
}
