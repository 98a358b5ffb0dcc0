/** Every CLI command, in the order `agentid --help` lists them. */
import type { CommandSpec } from '../command.js';
import { attest } from './attest.js';
import { auditList } from './audit/list.js';
import { auditVerify } from './audit/verify.js';
import { daemonRun } from './daemon/run.js';
import { daemonStart } from './daemon/start.js';
import { daemonStatus } from './daemon/status.js';
import { daemonStop } from './daemon/stop.js';
import { exec } from './exec.js';
import { secretLs } from './secret/ls.js';
import { secretRm } from './secret/rm.js';
import { secretSet } from './secret/set.js';
import { status } from './status.js';
import { whoami } from './whoami.js';

export const commands: readonly CommandSpec[] = [
  status,
  exec,
  whoami,
  attest,
  auditList,
  auditVerify,
  secretSet,
  secretLs,
  secretRm,
  daemonStart,
  daemonStop,
  daemonStatus,
  daemonRun,
];

/** Descriptions of the command groups (nouns) that have no run of their own. */
export const groups: Readonly<Record<string, string>> = {
  audit: 'read and verify the tamper-evident audit log',
  secret: 'manage long-lived secrets held by the daemon (OS keychain)',
  daemon: 'run and manage the background daemon',
};
