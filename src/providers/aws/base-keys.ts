/**
 * What `agentid aws set-base-keys` accepts: whatever an AWS client would send (AWS checks keys at
 * the server; moto and LocalStack take `test`/`testing`), bounded and without whitespace, so a
 * paste that went wrong (the secret in the id field, a trailing newline) is caught. What looks like
 * a placeholder or a key AssumeRole cannot use is stored with a warning, never refused. Pure; the
 * messages never echo a secret, only the (non-secret) access key id's shape.
 */
import { AgentIdError } from '../../errors.js';

const ACCESS_KEY_ID = /^[\x21-\x7e]{1,128}$/;
const SECRET_ACCESS_KEY = /^[\x21-\x7e]{1,256}$/;
/** IAM user keys: AKIA + 16 upper-case letters and digits. */
const IAM_USER_KEY = /^AKIA[A-Z0-9]{16}$/;
const PLACEHOLDER = /example|test|dummy|fake|changeme|placeholder|^x+$|^(foo|bar|key|id|secret)$/i;

export function checkBaseKeys(
  accessKeyId: unknown,
  secretAccessKey: unknown,
): { accessKeyId: string; secretAccessKey: string; warnings: string[] } {
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID.test(accessKeyId)) {
    throw new AgentIdError(
      'ERR_USAGE',
      'the access key id must be 1-128 printable characters without spaces (AKIA...)',
    );
  }
  if (typeof secretAccessKey !== 'string' || !SECRET_ACCESS_KEY.test(secretAccessKey)) {
    throw new AgentIdError(
      'ERR_USAGE',
      'the secret access key must be 1-256 printable characters without spaces',
    );
  }
  const warnings: string[] = [];
  if (PLACEHOLDER.test(accessKeyId) || PLACEHOLDER.test(secretAccessKey)) {
    warnings.push(
      'the keys look like placeholders: fine for an emulator (moto, LocalStack), AWS itself will refuse them',
    );
  } else if (accessKeyId.startsWith('ASIA')) {
    warnings.push(
      'ASIA… is a temporary key: AssumeRole also needs its session token, which base keys cannot carry; use an IAM user key (AKIA…)',
    );
  } else if (!IAM_USER_KEY.test(accessKeyId)) {
    warnings.push('the access key id is not shaped like an IAM user key (AKIA + 16 letters and digits)');
  }
  return { accessKeyId, secretAccessKey, warnings };
}
