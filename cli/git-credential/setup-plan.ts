/**
 * What `agentid setup git` writes, as `git config` invocations, pure so it has table tests. The
 * shape is gh's (`gh auth setup-git`): an empty `credential.<url>.helper` first resets any helper
 * inherited from broader config, so ours is the only one for that host, then ours, addressed by
 * absolute path so it works without PATH (cli/setup/helper-command.ts decides which helper);
 * `useHttpPath` so git sends the repository, which the token is narrowed to. Re-running replaces rather than appends, so it is idempotent.
 */
import { AgentIdError } from '../../src/errors.js';
import { gitHelperValue } from '../setup/helper-command.js';

export interface SetupGitOptions {
  /** `github.com`, `git.example.com:8443`, or a URL with http:// or https:// (its path ignored). */
  host: string;
  credential?: string;
  scope: 'global' | 'local';
  remove: boolean;
  /** The helper's command words, absolute paths first, before `[--credential C]`. */
  helper: readonly string[];
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,253})(:\d{1,5})?$/;
const CREDENTIAL = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Where git will ask for credentials: `credential.<url>`, and how --host was read. */
export interface CredentialTarget {
  url: string;
  /** True when --host named no scheme and https was assumed. */
  assumedScheme: boolean;
  /** A path in the --host URL (a clone URL): the setup is for the whole host, not it. */
  ignoredPath: string | null;
}

/** --host as a bare host[:port] (https assumed) or a URL (http or https; a path is ignored). */
export function credentialTarget(host: string): CredentialTarget {
  const match = /^(https?):\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(host);
  const [protocol, bare, path] = match
    ? [(match[1] ?? '').toLowerCase(), match[2] ?? '', match[3] ?? '']
    : ['https', host, ''];
  if (!HOST.test(bare)) {
    throw new AgentIdError(
      'ERR_USAGE',
      `--host ${JSON.stringify(host)}: expected a host like github.com[:port] or a URL like http://127.0.0.1:8080`,
    );
  }
  return {
    url: `${protocol}://${bare.toLowerCase()}`,
    assumedScheme: match === null,
    ignoredPath: path === '' || path === '/' ? null : path,
  };
}

/** `!<helper> [--credential C]`, the credential name checked first. */
export function helperCommand(options: Pick<SetupGitOptions, 'helper' | 'credential'>): string {
  if (options.credential !== undefined && !CREDENTIAL.test(options.credential)) {
    throw new AgentIdError(
      'ERR_USAGE',
      `--credential ${JSON.stringify(options.credential)} is not a credential name`,
    );
  }
  return gitHelperValue(options.helper, options.credential);
}

/** The `git config` argument lists to run, in order. */
export function setupGitPlan(options: SetupGitOptions): string[][] {
  const { url } = credentialTarget(options.host);
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
