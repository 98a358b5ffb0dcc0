/**
 * `agentid doctor`: is this machine set up so that agentid works? One line per check with the
 * fix, exit 1 when any fails. It diagnoses, so it never starts the daemon (a daemon that does not
 * start is one of the things it reports); it only asks a running daemon to load its signing key
 * when nothing has yet, to learn whether the keychain answers.
 */
import { type Config, defaultConfig, gitHostsOf, loadConfig } from '../../src/config/index.js';
import { ExitCode, toAgentIdError } from '../../src/errors.js';
import { printableLines } from '../../src/printable.js';
import { endpoints, type StatusResponse } from '../../src/protocol/client/index.js';
import { probeSandbox } from '../../src/sandbox/index.js';
import { version } from '../../src/version.js';
import { type CliDeps, type CommandSpec, jsonOption, printJson } from '../command.js';
import {
  awsProfilesOf,
  type CheckResult,
  checkAuditShip,
  checkAws,
  checkClockSkew,
  checkConfig,
  checkDaemon,
  checkGit,
  checkIdp,
  checkKeychain,
  checkMcp,
  checkNode,
  checkPath,
  checkPolicy,
  checkPolicyGit,
  checkSandbox,
  checkSocketDir,
  gitHelpersOfHosts,
} from '../doctor/checks.js';
import {
  agentidOnPath,
  awsConfig,
  dirFacts,
  discover,
  gitHelperEntries,
  mcpEntries,
  runProbes,
} from '../doctor/probe.js';
import { agentidShellCommand } from '../setup/helper-command.js';
import { shellQuote } from '../setup/shell-quote.js';

export const doctor: CommandSpec = {
  path: ['doctor'],
  summary: 'check this machine for what agentid needs, each with the fix (exit 1 when a check fails)',
  options: [jsonOption],
  examples: ['agentid doctor', 'agentid doctor --json | jq ".checks[] | select(.status == \\"fail\\")"'],
  async run({ opts }, deps) {
    const checks = await runChecks(deps);
    const ok = checks.every((c) => c.status !== 'fail');
    if (opts.json) printJson(deps, { ok, checks });
    else deps.out(formatChecks(checks));
    return ok ? ExitCode.ok : ExitCode.internal;
  },
};

async function runChecks(deps: CliDeps): Promise<CheckResult[]> {
  let config: Config = defaultConfig();
  let configError: { code: string; message: string } | null = null;
  try {
    config = loadConfig(deps.paths.configFile, deps.uid);
  } catch (err) {
    configError = toAgentIdError(err).toJSON();
  }
  const [{ status, error }, discovery, gitEntries] = await Promise.all([
    daemonStatus(deps),
    config.idp ? discover(config.idp.issuer, config.idp.timeoutMs, fetch) : null,
    gitHostsFor(config).length ? gitHelperEntries(deps.env) : [],
  ]);
  const gitHosts = gitHostsFor(config);
  const awsNames = config.credentials.filter((c) => c.type === 'aws').map((c) => c.name);
  const aws = awsConfig(deps.env);
  const onPath = agentidOnPath(deps.env);
  const pathProbe = onPath === null ? null : `${shellQuote(onPath)} --version`;
  const mcp = mcpEntries(deps.cwd);
  // Every command a setup wrote is run once, all at the same time: doctor waits for the slowest.
  const runs = await runProbes(
    [
      ...(pathProbe ? [pathProbe] : []),
      ...('error' in gitEntries
        ? []
        : gitHelpersOfHosts(gitHosts, gitEntries).flatMap((h) => h.helpers.map((x) => x.probe))),
      ...awsProfilesOf(awsNames, aws.text).flatMap((p) => (p.probe ? [p.probe] : [])),
      ...mcp.map((e) => e.probe),
    ],
    deps.env,
  );
  return [
    checkNode(deps.agentid.nodeVersion),
    checkConfig(deps.paths.configFile, configError, status),
    checkPath(
      onPath,
      pathProbe === null ? undefined : runs.get(pathProbe),
      version,
      agentidShellCommand(deps.agentid, 'install-shim'),
    ),
    checkSocketDir(dirFacts(deps.paths.runDir), deps.uid),
    checkDaemon(deps.paths.socket, status, error),
    checkKeychain(status),
    checkPolicy(status),
    checkPolicyGit(status),
    checkAuditShip(status),
    checkIdp(config.idp?.issuer ?? null, discovery),
    checkClockSkew(discovery, deps.now()),
    checkGit(gitHosts, gitEntries, runs),
    checkAws(awsNames, aws.file, aws.text, runs),
    checkMcp(mcp, runs),
    checkSandbox(
      probeSandbox(deps.env, deps.platform),
      config.sandbox.mode,
      deps.env.DBUS_SESSION_BUS_ADDRESS,
    ),
  ];
}

function gitHostsFor(config: Config): { credential: string; host: string }[] {
  return config.credentials.flatMap((c) => gitHostsOf(c).map((host) => ({ credential: c.name, host })));
}

async function daemonStatus(deps: CliDeps): Promise<{ status: StatusResponse | null; error: string | null }> {
  try {
    const status = await deps.daemon.probe();
    if (status?.signingKey !== 'not yet loaded') return { status, error: null };
    // The key loads on first use: load it now (as the first token would) to learn where it lives.
    await deps.daemon.call(endpoints.jwks);
    return { status: await deps.daemon.probe(), error: null };
  } catch (err) {
    const e = toAgentIdError(err);
    return { status: null, error: `${e.message} (${e.code})` };
  }
}

const MARK = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' } as const;

function formatChecks(checks: readonly CheckResult[]): string {
  const width = Math.max(...checks.map((c) => c.title.length));
  const lines = checks.flatMap((c) => [
    `${MARK[c.status]}  ${c.title.padEnd(width)}  ${c.detail}`,
    ...(c.fix ? [`      fix: ${c.fix}`] : []),
  ]);
  const failed = checks.filter((c) => c.status === 'fail').length;
  lines.push(failed === 0 ? 'all checks passed' : `${failed} check(s) failed`);
  return printableLines(lines);
}
