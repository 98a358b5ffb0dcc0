/**
 * Human-readable view of what the daemon makes of a process, shared by `whoami` and `attest`:
 * everything a user needs to write `[agents.<name>]` selectors for it.
 */
import { printableLines } from '../src/printable.js';
import type { IdentityView } from '../src/protocol/index.js';

/** Command lines can run to kilobytes (an agent's prompt in its argv): one screen line each, --json has them whole. */
const MAX_CMDLINE = 160;

function clip(words: readonly string[]): string {
  const text = words.join(' ');
  return text.length <= MAX_CMDLINE
    ? text
    : `${text.slice(0, MAX_CMDLINE)}… (${text.length - MAX_CMDLINE} more characters)`;
}

export function formatIdentity(view: IdentityView): string {
  const { attestation: a, agent, session, human } = view;
  const named = (id: number, name: string | null) => (name ? `${id} (${name})` : String(id));
  const lines = [
    `agent:     ${agent.name} (evidence ${agent.evidence})  — ${agent.reason}`,
    `human:     ${human.sub} (idp ${human.idp})`,
    `session:   ${session ? describeSession(session) : 'none'}`,
    `process:   pid ${a.pid}, ppid ${a.ppid}, uid ${named(a.uid, a.user)}, gid ${named(a.gid, a.group)}`,
    `exe:       ${a.exe}`,
    `sha256:    ${a.sha256 ?? `not computed (${a.sha256Skipped ?? 'unknown reason'})`}`,
  ];
  if (a.script) lines.push(`script:    ${a.script.path} (weak evidence: run by ${a.script.interpreter})`);
  lines.push(
    `cmdline:   ${clip(a.cmdline)}`,
    `cwd:       ${a.cwd ?? '(unreadable)'}`,
    `repo:      ${a.repo ? `${a.repo.root}${a.repo.remote ? ` (origin ${a.repo.remote})` : ' (no origin remote)'}` : 'none'}`,
    `pinned by: ${a.pinnedBy === 'pidfd' ? 'pidfd (pid reuse cannot fool the daemon)' : 'start time, checked before and after reading /proc'}`,
    `sender:    ${senderLine(a.connection)}`,
    'ancestors:',
    ...a.ancestors.map(
      (hop) => `  ${String(hop.pid).padStart(7)}  ${hop.exe ?? '(unreadable)'}  ${clip(hop.cmdline)}`,
    ),
  );
  return printableLines(lines);
}

function describeSession(session: NonNullable<IdentityView['session']>): string {
  const held = {
    sandbox: 'in its sandbox (user namespace)',
    subreaper: 'below its root (subreaper)',
    ancestry: 'below its root (ancestry only)',
  }[session.membership];
  const bounds = session.bounds.length > 0 ? `, bound by ${session.bounds.join(', ')}` : '';
  return `${session.id} (agent ${session.agent ?? 'undeclared'}, held ${held}${bounds}, root pid ${session.rootPid}, since ${session.startedAt})`;
}

function senderLine(connection: IdentityView['attestation']['connection']): string {
  switch (connection) {
    case 'close-on-exec':
      return 'holds its connection close-on-exec (the exe above is the code that sends)';
    case 'inheritable':
      return 'holds its connection inheritable: exe, sha256 and cmdline selectors do not count';
    case 'unknown':
      return 'the kernel did not name the connection: exe, sha256 and cmdline selectors do not count';
    case null:
      return 'not a connection (attested by pid)';
  }
}
