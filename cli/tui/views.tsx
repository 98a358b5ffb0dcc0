/**
 * The audit TUI's views: header (chain status, counts, filter), table, detail pane and key help.
 * Stateless: app.tsx owns the state and hands each view what it shows.
 */
import { Box, Text } from 'ink';
import type { AuditRow, AuditStats, VerifyResult } from '../../src/audit/index.js';
import { printable } from '../../src/printable.js';
import { columns, padCell, shortTime, ttl } from './format.js';
import { KEYS } from './keys.js';

export interface ChainStatus {
  result: VerifyResult;
  /** False while the background check has rows left to read. */
  caughtUp: boolean;
}

const decisionColor = { allow: 'green', deny: 'red', error: 'yellow' } as const;

export function Header(props: {
  path: string;
  stats: AuditStats | null;
  chain: ChainStatus | null;
  filter: string;
  follow: boolean;
}) {
  const { stats } = props;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>agentid audit</Text> {printable(props.path)}
        {stats ? `  ·  ${stats.rows} rows · ${stats.deny} deny · ${stats.error} error` : ''}
        {props.follow ? <Text color="cyan"> · following</Text> : null}
      </Text>
      <ChainLine chain={props.chain} />
      <Text wrap="truncate" dimColor={props.filter === ''}>
        filter: {props.filter === '' ? 'none (/ to filter)' : printable(props.filter)}
      </Text>
    </Box>
  );
}

function ChainLine({ chain }: { chain: ChainStatus | null }) {
  if (!chain) return <Text dimColor>chain: checking…</Text>;
  const { result } = chain;
  const from = result.anchor ? ` from anchor at seq ${result.anchor.seq}` : '';
  if (!result.ok) {
    return (
      <Text color="red" wrap="truncate">
        chain: BROKEN at seq {result.brokenSeq}: {printable(result.reason)} ({result.rows} rows verified
        {from} before it)
      </Text>
    );
  }
  if (!chain.caughtUp) {
    return (
      <Text color="yellow">
        chain: verifying{from}… verified up to seq {result.lastSeq}
      </Text>
    );
  }
  return (
    <Text color="green">
      chain: verified{from} up to seq {result.lastSeq} ({result.rows} rows)
    </Text>
  );
}

export function Table(props: { rows: AuditRow[]; cursor: number; width: number; height: number }) {
  const cols = columns(props.width - 2);
  const line = (cells: string[]) => `  ${cells.map((c, i) => padCell(c, cols[i]?.width ?? 0)).join(' ')}`;
  return (
    <Box flexDirection="column" height={props.height + 1}>
      <Text bold wrap="truncate">
        {line(cols.map((c) => c.title))}
      </Text>
      {props.rows.length === 0 ? <Text dimColor>no audit events match</Text> : null}
      {props.rows.map((row, i) => {
        const selected = i === props.cursor;
        return (
          <Text key={row.seq} inverse={selected} wrap="truncate">
            {/* The marker shows the selection without colour too (NO_COLOR, screen readers, tests). */}
            {selected ? '› ' : '  '}
            {cols.map((c, j) => {
              const text = `${padCell(c.cell(row), c.width)}${j < cols.length - 1 ? ' ' : ''}`;
              return c.title === 'DECISION' ? (
                <Text key={c.title} color={decisionColor[row.decision]}>
                  {text}
                </Text>
              ) : (
                text
              );
            })}
          </Text>
        );
      })}
    </Box>
  );
}

export function Detail({ row, height }: { row: AuditRow; height: number }) {
  const a = (row.attestation ?? {}) as Record<string, unknown>;
  const ancestors = Array.isArray(a.ancestors) ? (a.ancestors as { pid?: unknown; exe?: unknown }[]) : [];
  const field = (label: string, value: unknown) => (
    <Text key={label} wrap="truncate">
      <Text bold>{label.padEnd(14)}</Text>
      {value === null || value === undefined || value === '' ? '-' : printable(String(value))}
    </Text>
  );
  const lines = [
    <Text key="title" bold>
      event seq {row.seq} · <Text color={decisionColor[row.decision]}>{row.decision}</Text> ·{' '}
      {printable(row.action)}
    </Text>,
    field('id', row.id),
    field('time', `${shortTime(row.time)} UTC`),
    field('agent', row.agent),
    field('human', row.human),
    field('resource', row.resource),
    field('policy ids', row.policyIds.length ? row.policyIds.join(', ') : null),
    field('reason', row.reason),
    field('error code', row.errorCode),
    field('fingerprint', row.credentialFingerprint),
    field(
      'expires',
      row.expiresAt === null
        ? ttl(row) === 'never'
          ? 'never (a long-lived secret)'
          : null
        : `${row.expiresAt} (ttl ${ttl(row)})`,
    ),
    field('latency', `${row.latencyMs} ms`),
    field('peer', `pid ${row.peer.pid} uid ${row.peer.uid} gid ${row.peer.gid} ${row.peer.exe ?? ''}`),
    ...(row.attestation === null
      ? [field('attestation', 'none (refused before attestation)')]
      : [
          field('exe', a.exe),
          field('sha256', a.sha256),
          field('ancestry', ancestors.map((hop) => `${hop.pid} ${hop.exe ?? '?'}`).join(' ← ')),
          field('cwd', a.cwd),
          field('repo', repoText(a.repo)),
          field('session', a.session),
          field('evidence', a.agentEvidence),
          field('attestation', row.attestationDigest),
        ]),
    field('hash', row.hash),
    field('prev hash', row.prevHash),
  ];
  // Only what fits: lines past the box's height would be squeezed on top of each other.
  return (
    <Box flexDirection="column" height={height + 1}>
      {lines.slice(0, height + 1)}
    </Box>
  );
}

/** The attestation's repo is `{root, remote}` (or null): the remote, and where the checkout is. */
function repoText(repo: unknown): string | null {
  if (typeof repo !== 'object' || repo === null) return null;
  const { root, remote } = repo as { root?: unknown; remote?: unknown };
  const origin = typeof remote === 'string' && remote !== '' ? remote : '(no origin remote)';
  return typeof root === 'string' ? `${origin} at ${root}` : origin;
}

export function Help({ height }: { height: number }) {
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold>keys</Text>
      {KEYS.map(([keys, what]) => (
        <Text key={keys}>
          {'  '}
          {keys.padEnd(22)}
          {what}
        </Text>
      ))}
      <Text dimColor> any key: back</Text>
    </Box>
  );
}
