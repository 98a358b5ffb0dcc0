/**
 * Hot reload of config.toml, watched like the policy dir (src/watch.ts). A valid edit applies at
 * once to everything read per request (src/config/live.ts) and is audited as `config.reload` /
 * allow with the file's sha256 and what applied; keys bound at start keep their running values and
 * are named in `status` and `doctor` until the daemon is restarted. An invalid edit changes
 * nothing: it is audited as `config.reload` / error with its sha256 and the reason, and shown in
 * `status` and `doctor` until a good edit replaces it. The daemon is the actor of these rows.
 */
import { type Config, type ConfigFile, configOf, liveChange, readConfigFile } from '../src/config/index.js';
import { toAgentIdError } from '../src/errors.js';
import type { ConfigStatus } from '../src/protocol/index.js';
import { watchPath } from '../src/watch.js';
import type { DaemonDeps } from './deps.js';
import { recordDaemonEvent } from './record.js';

type ReloadDeps = Pick<
  DaemonDeps,
  'config' | 'paths' | 'log' | 'audit' | 'pid' | 'uid' | 'now' | 'credentialCache'
>;

export class ConfigReloader {
  readonly #deps: ReloadDeps;
  #status: ConfigStatus;
  /** The last file read, applied or not: the watcher's events come in bursts. */
  #lastSeen: string | null;

  /** `file` and `config`: what the daemon started with. */
  constructor(deps: ReloadDeps, file: ConfigFile) {
    this.#deps = deps;
    this.#lastSeen = file.sha256;
    this.#status = {
      file: deps.paths.configFile,
      sha256: file.sha256,
      loadedAt: deps.now().toISOString(),
      lastError: null,
      restartNeeded: [],
    };
  }

  status(): ConfigStatus {
    return { ...this.#status, restartNeeded: [...this.#status.restartNeeded] };
  }

  /** Reads the file again; does nothing when it is the one last seen. */
  reloadIfChanged(): void {
    const deps = this.#deps;
    const path = deps.paths.configFile;
    let file: ConfigFile;
    try {
      file = readConfigFile(path, deps.uid);
    } catch (err) {
      this.#refuse(null, toAgentIdError(err).message);
      return;
    }
    if (file.sha256 === this.#lastSeen) return;
    this.#lastSeen = file.sha256;
    let edited: Config;
    try {
      edited = configOf(file, path);
    } catch (err) {
      this.#refuse(file.sha256, toAgentIdError(err).message);
      return;
    }
    const change = liveChange(deps.config, edited);
    deps.config = change.config;
    // A credential whose definition changed must not be served from what the old one issued.
    if (change.applied.includes('credentials')) deps.credentialCache.clear();
    this.#status = {
      ...this.#status,
      sha256: file.sha256,
      loadedAt: deps.now().toISOString(),
      lastError: null,
      restartNeeded: change.restartNeeded,
    };
    const restart = change.restartNeeded.length
      ? `; needs \`agentid daemon stop\` and a start: ${change.restartNeeded.join(', ')}`
      : '';
    const reason = `sha256=${file.sha256 ?? 'none (no file: the embedded defaults)'}; applied: ${change.applied.join(', ') || 'nothing changed'}${restart}`;
    deps.log.info(`config reloaded: ${reason}`);
    void recordDaemonEvent(deps, { action: 'config.reload', decision: 'allow', resource: path, reason });
  }

  #refuse(sha256: string | null, message: string): void {
    const deps = this.#deps;
    const kept = `the config of sha256=${this.#status.sha256 ?? 'none (the embedded defaults)'} stays in force`;
    this.#status = { ...this.#status, lastError: { at: deps.now().toISOString(), sha256, message } };
    deps.log.error(`config.toml not reloaded (${kept}): ${message}`);
    void recordDaemonEvent(deps, {
      action: 'config.reload',
      decision: 'error',
      resource: deps.paths.configFile,
      reason: `sha256=${sha256 ?? 'unreadable'}: ${message}; ${kept}`,
      errorCode: 'ERR_CONFIG_INVALID',
    });
  }

  /** Watches the file (through its directory); returns the stop. */
  watch(debounceMs = 100): () => void {
    const watcher = watchPath(this.#deps.paths.configFile, debounceMs, () => this.reloadIfChanged());
    return () => watcher.close();
  }
}
