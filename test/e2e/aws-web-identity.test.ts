/**
 * AWS `source = "web-identity"` end to end: the human logs in at a real OpenID provider
 * (oidc-provider, device flow completed like a browser), and `agentid aws credential-process`
 * gets STS credentials (moto) by AssumeRoleWithWebIdentity with that login's ID token. Without
 * `[idp]` the same credential fails with a coded error that says what to configure.
 */

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Moto, motoUnavailableReason, startMoto } from '../peers/moto.js';
import { browse, CLIENT_ID, type OidcPeer, startOidcProvider } from '../peers/oidc-provider.js';
import { type RecordingProxy, startRecordingProxy } from '../peers/recording-proxy.js';
import { cliPath, collect, type Home, makeHome, runCli } from './harness.js';

const ROLE = 'arn:aws:iam::123456789012:role/web-agent';
const skip = motoUnavailableReason();
if (skip) console.warn(`skipping AWS web-identity e2e: ${skip}`);

const credential = (endpoint: string) =>
  `[credentials.web]\ntype = "aws"\nsource = "web-identity"\nrole_arn = "${ROLE}"\nregion = "us-east-1"\nendpoint = "${endpoint}"\n`;

function permitAws(home: Home): void {
  mkdirSync(join(home.dir, 'policy'));
  writeFileSync(
    join(home.dir, 'policy', 'aws.cedar'),
    'permit(principal, action == Action::"aws", resource == Credential::"web");\n',
  );
}

describe.skipIf(skip !== null)('aws web-identity', () => {
  let moto: Moto;
  let proxy: RecordingProxy;
  let peer: OidcPeer;
  const homes: Home[] = [];
  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startRecordingProxy(moto.url);
    peer = await startOidcProvider();
  });
  afterAll(async () => {
    for (const home of homes) {
      await runCli(home, ['daemon', 'stop']);
      home.cleanup();
    }
    await peer.close();
    await proxy.close();
    await moto.stop();
  });

  it('presents the SSO ID token to STS and returns credential_process JSON', async () => {
    const home = makeHome(
      `[secrets]\nbackend = "file"\n\n[idp]\nissuer = "${peer.issuer}"\nclient_id = "${CLIENT_ID}"\n\n${credential(proxy.url)}`,
    );
    homes.push(home);
    permitAws(home);
    const login = spawn(process.execPath, [cliPath, 'login', '--device', '--json'], {
      env: { ...home.env, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, BROWSER: undefined },
    });
    const done = collect(login);
    const start = await new Promise<{ verificationUriComplete: string }>((resolve) => {
      let out = '';
      login.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '{}'));
      });
    });
    await browse(start.verificationUriComplete, 'alice');
    expect((await done).code).toBe(0);

    const result = await runCli(home, ['aws', 'credential-process', 'web']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const creds = JSON.parse(result.stdout) as { Version: number; AccessKeyId: string; SessionToken: string };
    expect(creds.Version).toBe(1);
    expect(creds.AccessKeyId).toMatch(/^ASIA/);

    const calls = proxy.actions('AssumeRoleWithWebIdentity');
    expect(calls).toHaveLength(1);
    const presented = calls[0]?.get('WebIdentityToken') ?? '';
    const claims = decodeJwt(presented);
    expect(claims.iss).toBe(peer.issuer);
    expect(claims.aud).toBe(CLIENT_ID);
    expect(calls[0]?.get('RoleArn')).toBe(ROLE);
    // The ID token is a credential too: it never lands in the audit log.
    const audit = await runCli(home, ['audit', '--json', '--action', 'aws']);
    expect(audit.stdout).toContain('"decision":"allow"');
    expect(audit.stdout).not.toContain(presented);
  });

  it('without [idp] fails with ERR_IDP_NOT_CONFIGURED and nothing on stdout', async () => {
    const home = makeHome(`[secrets]\nbackend = "file"\n\n${credential(proxy.url)}`);
    homes.push(home);
    permitAws(home);
    const result = await runCli(home, ['aws', 'credential-process', 'web']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('ERR_IDP_NOT_CONFIGURED');
    expect(result.stderr).toContain('[idp]');
  });
});
