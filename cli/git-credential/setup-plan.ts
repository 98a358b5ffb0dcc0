/**
 * What `agentid setup git` writes, as `git config` invocations, pure so it has table tests. The
 * shape is gh's (`gh auth setup-git`): an empty `credential.<url>.helper` first resets any helper
 * inherited from broader config, so ours is the only one for that host, then ours, addressed by
 * absolute paths so it works without PATH (cli/setup-helpers.ts decides which helper); `useHttpPath` so git sends the repository, which the
 * token is narrowed to. Re-running replaces rather than appends, so it is idempotent.
 */
import { AgentIdError } from '../../src/errors.js';

export interface SetupGitOptions {
  /** `github.com`, `git.example.com:8443`, or a base URL with http:// or https://. */
  host: string;
  credential?: string;
  scope: 'global' | 'local';
  remove: boolean;
  /** The helper's command words, absolute paths first, before `[--credential C]`. */
  helper: readonly string[];
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,253})(:\d{1,5})?$/;
const CREDENTIAL = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The `credential.<url>` prefix for a host or base URL. */
export function credentialUrl(host: string): string {
  const match = /^(https?):\/\/([^/]+)\/?$/.exec(host);
  const [protocol, bare] = match ? [match[1], match[2] ?? ''] : ['https', host];
  if (!HOST.test(bare)) {
    throw new AgentIdError(
      'ERR_USAGE',
      `--host ${JSON.stringify(host)}: expected a host like github.com[:port]`,
    );
  }
  return `${protocol}://${bare.toLowerCase()}`;
}

/** POSIX shell single-quoting: git runs `!` helpers through the shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function helperCommand(options: Pick<SetupGitOptions, 'helper' | 'credential'>): string {
  const words = [...options.helper];
  if (options.credential !== undefined) {
    if (!CREDENTIAL.test(options.credential)) {
      throw new AgentIdError(
        'ERR_USAGE',
        `--credential ${JSON.stringify(options.credential)} is not a credential name`,
      );
    }
    words.push('--credential', options.credential);
  }
  return `!${words.map(shellQuote).join(' ')}`;
}

/** The `git config` argument lists to run, in order. */
export function setupGitPlan(options: SetupGitOptions): string[][] {
  const url = credentialUrl(options.host);
  const scope = `--${options.scope}`;
  const helper = `credential.${url}.helper`;
  const httpPath = `credential.${url}.useHttpPath`;
  if (options.remove) {
    return [
      ['config', scope, '--unset-all', helper],
      ['config', scope, '--unset-all', httpPath],
    ];
  }
  return [
    ['config', scope, '--replace-all', helper, ''],
    ['config', scope, '--add', helper, helperCommand(options)],
    ['config', scope, '--replace-all', httpPath, 'true'],
  ];
}
