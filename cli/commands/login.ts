/**
 * `agentid login`: SSO login with the `[idp]` provider. The daemon runs the flow and keeps the
 * tokens; this command only shows the user what to do (URL and code, or a browser) and waits,
 * with a spinner, until the daemon reports the outcome or the attempt expires.
 */
import { AgentIdError } from '../../src/errors.js';
import { printable } from '../../src/printable.js';
import {
  endpoints,
  type LoginMode,
  type LoginProgressResponse,
  type LoginStartResponse,
} from '../../src/protocol/client/index.js';
import { type CliDeps, type CommandSpec, jsonOption } from '../command.js';
import { formatHuman } from '../format-login.js';
import { formatDuration } from '../format-status.js';

const POLL_MS = 500;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Beyond the attempt's expiry, how long to wait for the daemon's own verdict. */
const EXPIRY_SLACK_MS = 5_000;

export const login: CommandSpec = {
  path: ['login'],
  summary: 'log in with your identity provider (SSO); the daemon keeps the session fresh',
  options: [
    { flags: '--device', description: 'device flow: open a URL on any device and enter a code' },
    { flags: '--browser', description: 'browser flow on this machine (loopback redirect, PKCE)' },
    jsonOption,
  ],
  examples: ['agentid login', 'agentid login --device', 'agentid login --browser --json'],
  async run({ opts }, deps) {
    if (opts.device && opts.browser)
      throw new AgentIdError('ERR_USAGE', 'choose one of --device and --browser');
    const display = hasDisplay(deps.env);
    const mode: LoginMode = opts.device
      ? 'device'
      : opts.browser
        ? 'browser'
        : display
          ? 'browser'
          : 'device';
    const start = await deps.daemon.call(endpoints.loginStart, { mode });
    if (opts.json) deps.out(`${JSON.stringify(start)}\n`);
    instruct(deps, start, display);

    const cancel = () => {
      void deps.daemon.call(endpoints.loginCancel, { id: start.id }).catch(() => {});
    };
    deps.signals.on('SIGINT', cancel);
    try {
      const result = await follow(deps, start);
      if (opts.json) deps.out(`${JSON.stringify(result)}\n`);
      else if (result.human)
        deps.out(`${printable(`Logged in as ${formatHuman(result.human)} at ${start.issuer}`)}\n`);
      return 0;
    } finally {
      deps.signals.off('SIGINT', cancel);
    }
  },
};

function instruct(deps: CliDeps, start: LoginStartResponse, display: boolean): void {
  if (start.mode === 'device') {
    // The identity provider chose these: printed escaped like any other text from elsewhere.
    deps.err(
      `${printable(`To log in, open ${start.verificationUri} and enter the code: ${start.userCode}`)}\n`,
    );
    if (start.verificationUriComplete) deps.err(`(or open ${printable(start.verificationUriComplete)})\n`);
    return;
  }
  const url = start.authorizationUrl ?? '';
  deps.err(`To log in, open this URL in a browser on this machine:\n  ${printable(url)}\n`);
  if (display) openBrowser(deps, url);
}

// $BROWSER is the convention for choosing one; xdg-open asks the desktop otherwise.
function openBrowser(deps: CliDeps, url: string): void {
  const child = deps.spawnInherited(deps.env.BROWSER || 'xdg-open', [url], deps.env);
  child.on('error', () => deps.err('(could not open a browser; open the URL above yourself)\n'));
}

function hasDisplay(env: CliDeps['env']): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY || env.BROWSER);
}

async function follow(deps: CliDeps, start: LoginStartResponse): Promise<LoginProgressResponse> {
  const deadline = new Date(start.expiresAt).getTime() + EXPIRY_SLACK_MS;
  const interactive = deps.stdinIsTTY;
  if (!interactive) deps.err('waiting for the login to complete...\n');
  for (let tick = 0; ; tick++) {
    const progress = await deps.daemon.call(endpoints.loginProgress, { id: start.id });
    if (progress.state !== 'pending') {
      if (interactive) deps.err('\r\x1b[K');
      if (progress.state === 'complete') return progress;
      const error = progress.error;
      throw error
        ? new AgentIdError(error.code, error.message)
        : new AgentIdError('ERR_INTERNAL', 'login failed');
    }
    const left = new Date(start.expiresAt).getTime() - deps.now().getTime();
    if (deps.now().getTime() > deadline) {
      throw new AgentIdError(
        'ERR_LOGIN_EXPIRED',
        'the login was not completed in time; run agentid login again',
      );
    }
    if (interactive) {
      const spinner = SPINNER[tick % SPINNER.length];
      deps.err(`\r${spinner} waiting for the login (expires in ${formatDuration(Math.max(0, left))})\x1b[K`);
    }
    await deps.sleep(POLL_MS);
  }
}
