/**
 * Wires the human half for the daemon: with `[idp]`, the OIDC client, the session it keeps and
 * the login attempts (loaded only then); without it, the local OS user. daemon/main.ts passes in
 * the real world.
 */

import type { IdpConfig } from '../src/config/index.js';
import { type HumanSource, loadOidc, localHumanSource } from '../src/identity/index.js';
import type { SecretStore } from '../src/secrets/index.js';
import type { DaemonDeps } from './deps.js';

export interface SsoWorld {
  idp: IdpConfig | null;
  secrets: () => Promise<SecretStore>;
  now: () => Date;
  randomUUID: () => string;
  user: string;
  host: string;
  log: DaemonDeps['log'];
  schedule: (ms: number, fn: () => void) => () => void;
}

export async function buildSso(world: SsoWorld): Promise<Pick<DaemonDeps, 'humans' | 'sso'>> {
  if (!world.idp) return { humans: localHumanSource(world.user, world.host), sso: null };
  const { createIdpClient, LoginFlows, OidcSession } = await loadOidc();
  const client = createIdpClient(world.idp, { secrets: world.secrets, now: world.now });
  const session = new OidcSession({ ...world, client });
  const flows = new LoginFlows({ ...world, client, session });
  const humans: HumanSource = session;
  return { humans, sso: { flows, session } };
}
