/** The human of a verified ID token: the claims policy and audit rows use, nothing else. */
import type { JWTPayload } from 'jose';
import type { HumanView } from '../../protocol/index.js';

export function humanFromClaims(
  claims: JWTPayload,
  opts: { groupsClaim: string; user: string; host: string },
): HumanView {
  const human: HumanView = { sub: String(claims.sub), idp: 'oidc', user: opts.user, host: opts.host };
  if (typeof claims.iss === 'string') human.issuer = claims.iss;
  if (typeof claims.email === 'string') human.email = claims.email;
  const groups = claims[opts.groupsClaim];
  // Providers send a list, or a single string when there is one group.
  if (Array.isArray(groups)) human.groups = groups.filter((g): g is string => typeof g === 'string');
  else if (typeof groups === 'string') human.groups = [groups];
  if (typeof claims.auth_time === 'number') human.authTime = new Date(claims.auth_time * 1000).toISOString();
  if (Array.isArray(claims.amr)) human.amr = claims.amr.filter((m): m is string => typeof m === 'string');
  return human;
}
