/**
 * The thin helpers: POSIX sh scripts that git (credential helper) and the AWS tools
 * (credential_process) run on every operation, asking the daemon with `curl --unix-socket` so that
 * no Node process starts. They behave as the Node helpers do (same messages, `quit=1` on deny,
 * silence for hosts not ours, the credential_process contract) because the daemon does the
 * parsing and formatting for them (text mode, src/protocol/types.ts), and they run the Node helper
 * whenever they cannot do the job alone: curl missing, the daemon not running (Node starts it),
 * arguments other than the plain forms.
 *
 * Before a byte goes to the socket, its directory must be a directory (not a symlink) owned by us
 * with no group or world access, as src/protocol/connect.ts requires of every client. Only our uid
 * or root can create entries in such a directory, so the socket in it was bound by a process of
 * ours: no other user can be listening there, and sh needs no peer credentials to know it. On
 * Linux the directory is opened once (fd 3), then checked and reached through /proc/self/fd/3,
 * so renaming it or a directory above it between the check and the connect changes nothing.
 *
 * They live in the user's data directory (Paths.helpersDir), not in the package: they carry
 * absolute paths of node and of this CLI for the fallback, which `agentid setup` bakes in when
 * it (re)writes them. Updating agentid in place keeps those paths valid; if node or the package
 * moved, the fallback tries `agentid` on PATH, else says to run setup again. The fast path
 * needs only sh, curl and the daemon's /v1 text mode, which does not change within /v1.
 */

import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GIT_TEXT_CREDENTIAL_LINE, MAX_INPUT_BYTES } from '../src/protocol/index.js';
import { shellQuote } from './setup/shell-quote.js';

export type ThinHelperKind = 'git' | 'aws';

export const THIN_HELPER_FILES: Readonly<Record<ThinHelperKind, string>> = {
  git: 'git-credential-agentid',
  aws: 'aws-credential-process',
};

export interface NodeHelper {
  /** Absolute paths of node and of agentid's cli/main.js, for the fallback. */
  node: string;
  script: string;
}

/** What each kind does around the shared core (exit codes and output follow its Node helper). */
interface Kind {
  title: string;
  /** Parses "$@" and sets `op_path`; may run node_helper or exit. */
  args: string;
  /** Exit status when no Node helper can be found to start the daemon. */
  goneExit: number;
  /** Run before `exit 5` when the socket directory is refused. */
  refused: string;
  /** Read git's input (sets `input`), before anything talks to the daemon. */
  readInput: string;
  /** curl options for the request body. */
  body: string;
  onAnswer: string;
  onError: string;
}

const kinds: Record<ThinHelperKind, Kind> = {
  git: {
    title: 'git credential helper (credential.helper)',
    args: `if [ $# = 1 ]; then op=$1 credential=
elif [ $# = 3 ] && [ "$1" = --credential ] && [ -n "$2" ]; then op=$3 credential=$2
else op=
fi
case $op in
  get) ;;
  '' | -h | --help | --credential) node_helper git-credential "$@" ;;
  # store, erase and future operations: nothing to do, as gitcredentials(7) asks.
  *) exit 0 ;;
esac
if [ -n "$credential" ]; then set -- git-credential --credential "$credential" get; else set -- git-credential get; fi`,
    goneExit: 0,
    refused: `printf 'quit=1\\n'`,
    readInput: `input=$(head -c ${MAX_INPUT_BYTES + 1}; echo .)
input=\${input%.}
if [ \${#input} -gt ${MAX_INPUT_BYTES} ]; then
  say ERR_GIT_INPUT_INVALID 'git-credential input rejected: the input is larger than ${MAX_INPUT_BYTES} bytes'
  exit 2
fi
path=/v1/git/credential`,
    body: `-H 'Content-Type: text/plain' --data-binary @-`,
    onAnswer: `printf '%s' "$answer"`,
    onError: `say "$code" "$message"
# Refused input exits as the Node helper does; anything else about a host we serve stops git.
case $code in ERR_GIT_INPUT_INVALID) exit "$status" ;; esac
printf 'quit=1\\n'
exit 0`,
  },
  aws: {
    title: 'AWS credential_process',
    args: `case $# in 1) ;; *) node_helper aws credential-process "$@" ;; esac
case $1 in '' | -* | *[!A-Za-z0-9._~-]*) node_helper aws credential-process "$@" ;; esac
set -- aws credential-process "$1"
path=/v1/aws/$3`,
    goneExit: 5,
    refused: ':',
    readInput: '',
    body: `--data-binary ''`,
    onAnswer: `printf '%s\\n' "$answer"`,
    // One line on stderr: the AWS tools put it into their own error message.
    onError: `say "$code" "\${message%%"$NL"*}"
exit "$status"`,
  },
};

/** The script for `kind`; pure, so tests read it and run it. */
export function thinHelperScript(kind: ThinHelperKind, node: NodeHelper): string {
  const k = kinds[kind];
  const credentialLine = `${GIT_TEXT_CREDENTIAL_LINE}$credential`;
  return `#!/bin/sh
# agentid: ${k.title}, thin helper format 1. Written by \`agentid setup ${kind}\`, which
# rewrites it: run that again rather than editing this file. It asks the agentid daemon with
# curl over its Unix socket, without starting Node, and runs the Node helper when curl is missing
# or the daemon is not running (that one starts it). Why the socket directory checks below are
# enough to know the daemon is ours: agentid's cli/thin-helpers.ts.
set -f
unset input
IFS=' 	
'
LC_ALL=C
export LC_ALL
NODE=${shellQuote(node.node)}
CLI=${shellQuote(node.script)}
NL='
'
say() { printf 'agentid: %s (%s)\\n' "$2" "$1" >&2; }

# The Node helper with arguments "$@", and on stdin the input read so far if any.
node_helper() {
  exec 3<&-
  if [ -x "$NODE" ] && [ -f "$CLI" ]; then set -- "$NODE" "$CLI" "$@"
  elif command -v agentid >/dev/null 2>&1; then set -- agentid "$@"
  else
    say ERR_DAEMON_UNAVAILABLE "the daemon is not running, and neither $NODE $CLI nor agentid on PATH is there to start it: run agentid setup ${kind} again"
    exit ${k.goneExit}
  fi
  if [ -z "\${input+set}" ]; then exec "$@"; fi
  exec "$@" <<EOF
$input
EOF
}

refuse() {
  say ERR_PATHS_UNSAFE_DIR "refusing to talk to the daemon, nothing was sent: $1"
  ${k.refused}
  exit 5
}

# Sets mode and owner of the directory $1 (ls -n: numeric owner).
stat_dir() {
  set -- $(ls -ldn "$1/")
  mode=$1 owner=$3
}

${k.args}
${k.readInput}

# Where the daemon listens: as src/paths.ts resolves it, from the same variables.
if [ -n "\${AGENTID_HOME-}" ]; then dir=$AGENTID_HOME/run
elif [ -n "\${XDG_RUNTIME_DIR-}" ]; then dir=$XDG_RUNTIME_DIR/agentid
else dir=/tmp/agentid-$(id -u)
fi

command -v curl >/dev/null 2>&1 || node_helper "$@"
# No directory yet: no daemon has run here; the Node helper starts one.
[ -e "$dir" ] || [ -h "$dir" ] || node_helper "$@"
if [ -h "$dir" ] || [ ! -d "$dir" ]; then refuse "$dir is a symbolic link or not a directory; remove it"; fi
if [ ! -O "$dir" ]; then
  stat_dir "$dir"
  refuse "$dir is owned by uid $owner, not by you; remove it or set AGENTID_HOME to a private directory"
fi
{ command exec 3<"$dir"; } 2>/dev/null || refuse "$dir cannot be opened"
at=$dir
[ -d /proc/self/fd/3/ ] && at=/proc/self/fd/3
[ -O "$at/" ] || refuse "$dir changed while it was checked"
stat_dir "$at"
case $mode in
  d???--[-S]--[-T]*) ;;
  *) refuse "$dir has mode $mode; it must be private: chmod 700 $dir" ;;
esac
[ -S "$at/agentid.sock" ] || node_helper "$@"

answer=$(curl -q -s --noproxy '*' --max-time 30 --max-filesize 1048576 --unix-socket "$at/agentid.sock" \\
  -H 'Accept: text/plain' ${k.body} -w '%{http_code}' "http://agentid$path" <<EOF
\${credential:+${credentialLine}$NL}\${input-}
EOF
)
rc=$?
# 7: nothing accepts connections there (a crashed daemon's socket), and the Node helper starts
# the daemon; 2: this curl cannot do it (older than 7.40, no --unix-socket).
case $rc in 2 | 7) node_helper "$@" ;; esac
http=\${answer#"\${answer%???}"}
answer=\${answer%???}
if [ "$rc" = 0 ] && [ "$http" = 200 ]; then
  ${k.onAnswer}
  exit 0
fi
# An error is one line: <exit status> <CODE> <message>.
status=\${answer%% *} rest=\${answer#* }
code=\${rest%% *} message=\${rest#* }
message=\${message%"$NL"}
case $rc$status$code in
  0[0-9]ERR_*) ;;
  *) status=1 code=ERR_DAEMON_PROTOCOL message="the request to the daemon failed (curl exit $rc, HTTP $http)" ;;
esac
${k.onError}
`;
}

/**
 * Writes the helper of `kind` into `dir` (created private if missing), replacing an older one
 * atomically so a git or aws running right now never reads half a script. Returns its path.
 */
export function installThinHelper(dir: string, kind: ThinHelperKind, node: NodeHelper): string {
  const file = join(dir, THIN_HELPER_FILES[kind]);
  const script = thinHelperScript(kind, node);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (readOrEmpty(file) !== script) {
    const temp = `${file}.${randomUUID()}.tmp`;
    writeFileSync(temp, script, { mode: 0o700 });
    chmodSync(temp, 0o700);
    renameSync(temp, file);
  }
  return file;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
