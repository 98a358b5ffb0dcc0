/**
 * `agentid install-shim [--dir D] [--remove]`: puts `agentid` and `git-credential-agentid` on
 * PATH as two small sh scripts that exec this clone's CLI with the node running now (the same
 * command every setup writes, cli/setup/helper-command.ts). The directory is one of the user's
 * already on PATH where there is one (cli/setup/shim.ts says which and why); a file there that
 * install-shim did not write is never replaced without --force.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AgentIdError } from '../../src/errors.js';
import { type CommandSpec, jsonOption, printJson } from '../command.js';
import { SHIM_MARK, shimScript } from '../setup/helper-command.js';
import { chooseShimDir, pathDirs, SHIMS } from '../setup/shim.js';

export const installShim: CommandSpec = {
  path: ['install-shim'],
  summary: 'put `agentid` on your PATH (~/.local/bin where it is on PATH; no root needed)',
  options: [
    {
      flags: '--dir <dir>',
      description: 'where to write the shims (default: ~/.local/bin or ~/bin if on PATH)',
    },
    { flags: '--force', description: 'replace an agentid there that install-shim did not write' },
    { flags: '--remove', description: 'remove the shims install-shim wrote' },
    jsonOption,
  ],
  examples: [
    'npx agentid install-shim && agentid --version',
    'agentid install-shim --dir ~/bin',
    'agentid install-shim --remove',
  ],
  async run({ opts }, deps) {
    const chosen =
      typeof opts.dir === 'string'
        ? {
            dir: resolve(deps.cwd, opts.dir),
            onPath: pathDirs(deps.env.PATH).includes(resolve(deps.cwd, opts.dir)),
          }
        : chooseShimDir(deps.env, homedir(), deps.uid);
    const files = SHIMS.map((s) => ({ ...s, path: join(chosen.dir, s.name) }));
    const ours = (path: string) => readFileSync(path, 'utf8').includes(SHIM_MARK);
    if (opts.remove === true) {
      const removed = files.filter((f) => existsSync(f.path) && ours(f.path)).map((f) => f.path);
      for (const path of removed) rmSync(path);
      if (opts.json === true) printJson(deps, { dir: chosen.dir, removed });
      else
        deps.out(
          removed.length ? `removed ${removed.join(', ')}\n` : `no shims of agentid in ${chosen.dir}\n`,
        );
      return 0;
    }
    const foreign = files.filter((f) => existsSync(f.path) && !ours(f.path));
    if (foreign.length > 0 && opts.force !== true) {
      throw new AgentIdError(
        'ERR_USAGE',
        `${foreign.map((f) => f.path).join(' and ')} exist${foreign.length === 1 ? 's' : ''} and ${foreign.length === 1 ? 'was' : 'were'} not written by agentid install-shim; ` +
          'remove it, choose another --dir, or pass --force',
      );
    }
    mkdirSync(chosen.dir, { recursive: true, mode: 0o755 });
    for (const f of files) {
      writeFileSync(f.path, shimScript(deps.agentid, ...f.args));
      chmodSync(f.path, 0o755);
    }
    const shadow = firstOnPath(deps.env.PATH, 'agentid');
    const shadowed = chosen.onPath && shadow !== null && shadow !== files[0]?.path ? shadow : null;
    if (opts.json === true) {
      printJson(deps, {
        dir: chosen.dir,
        files: files.map((f) => f.path),
        onPath: chosen.onPath,
        shadowedBy: shadowed,
      });
      return 0;
    }
    deps.out(
      `wrote ${files.map((f) => f.path).join(' and ')} (running ${deps.agentid.script} with ${deps.agentid.node})\n`,
    );
    if (!chosen.onPath) {
      deps.out(
        `${chosen.dir} is not on your PATH: add it, e.g.\n  echo 'export PATH="${chosen.dir}:$PATH"' >> ~/.profile && . ~/.profile\n`,
      );
    } else if (shadowed) {
      deps.out(`note: ${shadowed} comes first on your PATH, so a bare \`agentid\` runs that one\n`);
    }
    return 0;
  },
};

/** The file a shell would run for `name`, or null. */
function firstOnPath(path: string | undefined, name: string): string | null {
  for (const dir of pathDirs(path)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
