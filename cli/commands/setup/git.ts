/**
 * `agentid setup git --host H [--credential C]`: points git at agentid for one host, in the user's
 * global git config (default) or the current repository's. Only the `credential.<url>` keys of
 * that host are touched; `--remove` takes them out again.
 */
import { AgentIdError, ExitCode } from '../../../src/errors.js';
import { printable } from '../../../src/printable.js';
import { type CliDeps, type CommandSpec, jsonOption, printJson } from '../../command.js';
import { credentialTarget, setupGitPlan } from '../../git-credential/setup-plan.js';
import { gitHelperWords } from '../../setup/helper-command.js';

/** `git config --unset-all` exits 5 when the key is not there: nothing to remove is fine. */
const GIT_CONFIG_KEY_ABSENT = 5;

export const setupGit: CommandSpec = {
  path: ['setup', 'git'],
  summary: 'make git get credentials for a host from agentid (writes git config the way gh does)',
  options: [
    {
      flags: '--host <host>',
      description: 'git host or URL: github.com, host:port (https assumed), http://host:port for plain http',
    },
    {
      flags: '--credential <name>',
      description: 'the [credentials.<name>] to use for it (default: the one configured for the host)',
    },
    { flags: '--global', description: 'write ~/.gitconfig (the default)' },
    { flags: '--local', description: "write the current repository's .git/config instead" },
    { flags: '--remove', description: 'remove the entries this command writes' },
    jsonOption,
  ],
  examples: [
    'agentid setup git --host github.com --credential gh',
    'agentid setup git --host git.example.com:8443 --local',
    'agentid setup git --host http://127.0.0.1:8080 --credential local-forge',
    'agentid setup git --host github.com --remove',
  ],
  async run({ opts }, deps) {
    if (typeof opts.host !== 'string')
      throw new AgentIdError('ERR_USAGE', '--host is required, e.g. --host github.com');
    if (opts.global === true && opts.local === true) {
      throw new AgentIdError('ERR_USAGE', 'choose one of --global and --local');
    }
    const scope = opts.local === true ? 'local' : 'global';
    const target = credentialTarget(opts.host);
    const plan = setupGitPlan({
      host: opts.host,
      ...(typeof opts.credential === 'string' ? { credential: opts.credential } : {}),
      scope,
      remove: opts.remove === true,
      // Removing needs no helper: only the git config entries go.
      helper: opts.remove === true ? [] : gitHelperWords(deps),
    });
    for (const args of plan) {
      const code = await runGit(deps, args);
      if (code === 0 || (opts.remove === true && code === GIT_CONFIG_KEY_ABSENT)) continue;
      throw new AgentIdError(
        'ERR_USAGE',
        `git ${args.slice(0, 3).join(' ')} failed with exit code ${code}` +
          (scope === 'local' ? ' (--local needs to run inside a git repository)' : ''),
      );
    }
    const { url } = target;
    if (opts.json === true) {
      printJson(deps, {
        url,
        scope,
        removed: opts.remove === true,
        assumedScheme: target.assumedScheme,
        ignoredPath: target.ignoredPath,
        commands: plan.map((a) => ['git', ...a]),
      });
    } else if (opts.remove === true) {
      deps.out(`removed agentid from ${scope} git config for ${url}\n`);
    } else {
      deps.out(`git now asks agentid for credentials for ${url} (${scope} git config; undo with --remove)\n`);
    }
    if (opts.json !== true) deps.err(schemeNotes(opts.host, target));
    return ExitCode.ok;
  },
};

function runGit(deps: CliDeps, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = deps.spawnInherited('git', args, deps.env);
    child.once('error', () => resolve(127));
    child.once('exit', (code) => resolve(code ?? ExitCode.internal));
  });
}

/**
 * git matches credential config by scheme: an https entry is never asked for an http remote (git
 * then prompts for a password). So the scheme we chose is said, with the way to pick the other.
 */
function schemeNotes(host: string, target: ReturnType<typeof credentialTarget>): string {
  const notes: string[] = [];
  if (target.assumedScheme) {
    const bare = target.url.replace(/^https:\/\//, '');
    notes.push(
      `agentid: --host ${host} has no scheme, so https was assumed; for a server on plain http use --host http://${bare}`,
    );
  }
  if (target.ignoredPath !== null) {
    notes.push(`agentid: the path ${target.ignoredPath} is ignored: git asks for ${target.url} as a whole`);
  }
  // The path is the user's text, unchecked: escaped like every human line (src/printable.ts).
  return notes.map((n) => `${printable(n)}\n`).join('');
}
