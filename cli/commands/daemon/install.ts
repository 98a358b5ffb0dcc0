/**
 * `agentid daemon install [--print] [--force]`: runs the daemon as a login service, a systemd
 * user unit on Linux or a launchd agent on macOS, and says how to enable it. It never enables
 * anything itself (that is the user's call, and needs their session bus), and never replaces an
 * existing definition without --force: it may have been edited by hand.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { dirname } from 'node:path';
import { AgentIdError } from '../../../src/errors.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';
import { servicePlan } from '../../service-unit.js';

export const daemonInstall: CommandSpec = {
  path: ['daemon', 'install'],
  summary: 'write a systemd user unit (Linux) or launchd agent (macOS) that runs the daemon',
  options: [
    { flags: '--print', description: 'print the unit and where it would go; write nothing' },
    { flags: '--force', description: 'replace an existing unit file' },
    jsonOption,
  ],
  examples: [
    'agentid daemon install && systemctl --user enable --now agentid.service',
    'agentid daemon install --print',
  ],
  async run({ opts }, deps) {
    const plan = servicePlan(platform(), deps.env, deps.env.HOME || homedir(), {
      node: deps.agentid.node,
      script: deps.agentid.script,
      agentidHome: deps.env.AGENTID_HOME || null,
      stateDir: deps.paths.stateDir,
    });
    if (!plan) {
      throw new AgentIdError(
        'ERR_SERVICE_UNSUPPORTED',
        `no service manager support for ${platform()}; run \`agentid daemon start\` from your login scripts`,
      );
    }
    const printOnly = opts.print === true;
    const existing = existsSync(plan.path) ? readFileSync(plan.path, 'utf8') : null;
    const action = printOnly
      ? 'printed'
      : existing === plan.text
        ? 'unchanged'
        : existing
          ? 'replaced'
          : 'wrote';
    if (!printOnly && existing !== null && existing !== plan.text && opts.force !== true) {
      throw new AgentIdError(
        'ERR_SERVICE_EXISTS',
        `${plan.path} exists and differs; see it with \`agentid daemon install --print\`, replace it with --force`,
      );
    }
    if (action === 'wrote' || action === 'replaced') {
      mkdirSync(dirname(plan.path), { recursive: true, mode: 0o700 });
      writeFileSync(plan.path, plan.text, { mode: 0o644 });
    }
    if (opts.json === true) {
      printJson(deps, { kind: plan.kind, path: plan.path, action, enable: plan.enable, text: plan.text });
      return 0;
    }
    if (printOnly) deps.out(`# ${plan.path}\n${plan.text}`);
    else deps.out(`${action} ${plan.path}\n`);
    deps.out(
      `${printOnly ? '# ' : ''}to enable it (stop a daemon started by hand first: agentid daemon stop):\n` +
        plan.enable.map((c) => `${printOnly ? '#   ' : '  '}${c}\n`).join(''),
    );
    return 0;
  },
};
