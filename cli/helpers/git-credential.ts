#!/usr/bin/env node
/**
 * `git-credential-agentid`: git's credential helper entrypoint. Kept to minimal imports so git
 * pays only for Node's start. No git host is configured for agentid yet (git credentials arrive
 * with the git provider), so for every operation it consumes git's request and prints nothing,
 * which tells git to ask the next helper — the documented behaviour for hosts a helper does not
 * serve.
 */
process.stdin.resume();
process.stdin.on('data', () => {});
process.stdin.on('end', () => {
  process.exitCode = 0;
});
