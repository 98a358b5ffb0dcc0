/**
 * The GitHub App JWT: RS256, signed with the App's private key, `iss` = the app (or client) id,
 * `iat` 60 s in the past to absorb clock drift and `exp` 10 min after that, the limits GitHub
 * documents. It only ever authenticates the daemon to GitHub's /app endpoints; agents never see it.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { AgentIdError } from '../../errors.js';

export const APP_JWT_BACKDATE_SECONDS = 60;
/** GitHub refuses an exp more than 10 min ahead; counted from the back-dated iat to stay inside. */
export const APP_JWT_LIFETIME_SECONDS = 600;

/** PKCS#1 (what GitHub hands out) or PKCS#8 PEM to a key; the error never echoes the PEM. */
export function readAppKey(pem: string, secretName: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new AgentIdError(
      'ERR_GITHUB_KEY',
      `secret ${secretName} is not a PEM private key; store the App's key with: agentid secret set ${secretName} < key.pem`,
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new AgentIdError(
      'ERR_GITHUB_KEY',
      `secret ${secretName} holds a ${key.asymmetricKeyType} key; GitHub Apps sign with RSA (RS256)`,
    );
  }
  return key;
}

export function signAppJwt(appId: string, key: KeyObject, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000) - APP_JWT_BACKDATE_SECONDS;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(appId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + APP_JWT_LIFETIME_SECONDS)
    .sign(key);
}
