/**
 * What the AWS side sees of the agent and the human: RoleSessionName (in every CloudTrail event
 * and the assumed-role ARN), SourceIdentity and session tags. STS rejects a request whose values
 * break its character or length rules, so names from config and SSO are mapped into them here,
 * deterministically, with a short hash wherever shortening or replacing could make two humans
 * look alike. Pure, so it has table tests.
 */
import { createHash } from 'node:crypto';

/** RoleSessionName and SourceIdentity: [\w+=,.@-]{2,64}. */
const NAME_CHAR = /[^\w+=,.@-]/g;
const NAME_MAX = 64;
/** Session tag values: letters, spaces, numbers and _.:/=+-@, up to 256. */
const TAG_CHAR = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;
const TAG_MAX = 256;

const AGENT_TAG = 'agentid-agent';
const HUMAN_TAG = 'agentid-human';

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** The user part of a human subject: `local:alice@host` → alice, `alice@example.com` → alice. */
function humanUser(human: string): string {
  const withoutIdp = human.startsWith('local:') ? human.slice('local:'.length) : human;
  return withoutIdp.split('@', 1)[0] ?? '';
}

/**
 * `<agent>.<user>-<hash of human>`: the agent first, since a truncated ARN should still name it;
 * the hash keeps two humans with the same user name apart.
 */
export function roleSessionName(agent: string, human: string): string {
  const who = `${humanUser(human).replace(NAME_CHAR, '-').slice(0, 16)}-${shortHash(human)}`;
  const agentPart = agent.replace(NAME_CHAR, '-').slice(0, NAME_MAX - who.length - 1) || 'agent';
  return `${agentPart}.${who}`;
}

/**
 * The human as SourceIdentity: kept as is when valid (`alice@example.com`); otherwise invalid
 * characters replaced (which also rules out STS's reserved `aws:` prefix) and a hash appended,
 * so `local:alice@host` and `local-alice@host` stay apart.
 */
export function sourceIdentity(human: string): string {
  const value = human.replace(NAME_CHAR, '-');
  if (value === human && value.length >= 2 && value.length <= NAME_MAX) return value;
  return `${value.slice(0, NAME_MAX - 9)}-${shortHash(human)}`;
}

export function tagValue(value: string): string {
  const cleaned = value.replace(TAG_CHAR, '_');
  if (cleaned === value && value.length <= TAG_MAX) return value;
  return `${cleaned.slice(0, TAG_MAX - 9)}-${shortHash(value)}`;
}

/** The two tags every assume-role session carries, after the configured ones. */
export function sessionTags(
  agent: string,
  human: string,
  extra: Readonly<Record<string, string>>,
): { Key: string; Value: string }[] {
  return [
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
    { Key: AGENT_TAG, Value: tagValue(agent) },
    { Key: HUMAN_TAG, Value: tagValue(human) },
  ];
}
