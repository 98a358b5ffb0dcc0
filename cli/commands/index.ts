/** Every CLI command, in the order `agentid --help` lists them. */
import type { CommandSpec } from '../command.js';
import { attest } from './attest.js';
import { auditCheckpoint } from './audit/checkpoint.js';
import { auditExport } from './audit/export.js';
import { auditList } from './audit/list.js';
import { auditPrune } from './audit/prune.js';
import { auditVerify } from './audit/verify.js';
import { awsCredentialProcessCommand } from './aws/credential-process.js';
import { awsSetBaseKeys } from './aws/set-base-keys.js';
import { completion } from './completion.js';
import { daemonInstall } from './daemon/install.js';
import { daemonRun } from './daemon/run.js';
import { daemonStart } from './daemon/start.js';
import { daemonStatus } from './daemon/status.js';
import { daemonStop } from './daemon/stop.js';
import { doctor } from './doctor.js';
import { exec } from './exec.js';
import { init } from './init.js';
import { installShim } from './install-shim.js';
import { jwks } from './jwks.js';
import { keyRotate } from './key/rotate.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { mcp } from './mcp.js';
import { policyCheck } from './policy/check.js';
import { policyExplain } from './policy/explain.js';
import { policyPull } from './policy/pull.js';
import { policyTest } from './policy/test.js';
import { secretLs } from './secret/ls.js';
import { secretRm } from './secret/rm.js';
import { secretSet } from './secret/set.js';
import { setupAws } from './setup/aws.js';
import { setupGit } from './setup/git.js';
import { setupMcp } from './setup/mcp.js';
import { status } from './status.js';
import { token } from './token.js';
import { whoami } from './whoami.js';

export const commands: readonly CommandSpec[] = [
  status,
  init,
  installShim,
  doctor,
  login,
  logout,
  exec,
  mcp,
  whoami,
  attest,
  token,
  jwks,
  awsCredentialProcessCommand,
  awsSetBaseKeys,
  setupAws,
  setupGit,
  setupMcp,
  keyRotate,
  policyCheck,
  policyExplain,
  policyTest,
  policyPull,
  auditList,
  auditVerify,
  auditCheckpoint,
  auditExport,
  auditPrune,
  secretSet,
  secretLs,
  secretRm,
  daemonStart,
  daemonStop,
  daemonStatus,
  daemonRun,
  daemonInstall,
  completion,
];

/** What agentid is: the first line of `agentid --help`. */
export const description = 'Short-lived, policy-checked, audited credentials for AI agents on this machine.';

/** Descriptions of the command groups (nouns) that have no run of their own. */
export const groups: Readonly<Record<string, string>> = {
  audit: 'read and verify the tamper-evident audit log',
  secret: 'manage long-lived secrets held by the daemon (OS keychain)',
  daemon: 'run and manage the background daemon',
  policy: 'check, explain and test the Cedar policies that decide who gets which credential',
  aws: 'AWS credentials from STS for agents (credential_process, base keys)',
  setup: 'point other tools (AWS CLI/SDKs, git, MCP clients) at agentid',
  key: "manage the daemon's JWT signing key",
};
