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
    `agent:     ${agent.name}  — ${agent.reason}`,
    `human:     ${human.sub} (idp ${human.idp})`,
    `session:   ${session ? `${session.id} (agent ${session.agent ?? 'undeclared'}, root pid ${session.rootPid}, since ${session.startedAt})` : 'none'}`,
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
    'ancestors:',
    ...a.ancestors.map(
      (hop) => `  ${String(hop.pid).padStart(7)}  ${hop.exe ?? '(unreadable)'}  ${clip(hop.cmdline)}`,
    ),
  );
  return printableLines(lines);
}
