/**
 * The provider contract: one file per credential type, each turning an authorised request into
 * a short-lived credential. Providers never see policy or audit; the daemon decides before and
 * records after. What they return besides the secret is safe to audit.
 */

export type CredentialType = 'jwt' | 'aws' | 'git' | 'static';

/** Who the credential is for, and for what: the cache key and the claims come from here. */
export interface IssueRequest {
  /** Credential name from config (`identity` is built in). */
  credential: string;
  agent: string;
  /** The human's subject (`local:alice@host`, or the SSO `sub`). */
  human: string;
  /** What the credential is narrowed to (JWT audience, git repo, ...); part of the cache key. */
  scope: string;
}

export interface Issued<T> {
  value: T;
  expiresAt: Date;
  /** sha256 hex of what identifies the credential (the jti, the access key id), never the secret. */
  fingerprint: string;
  /** Non-secret facts for the audit row and the user (role, session name, kid, ...). */
  details: Record<string, string>;
  /**
   * The secret itself does not expire (a static secret): `expiresAt` is only the lease callers
   * are told (git's password_expiry_utc), and the audit row records no expiry.
   */
  longLived?: true;
}

export interface Provider<T> {
  readonly type: CredentialType;
  issue(request: IssueRequest): Promise<Issued<T>>;
}
