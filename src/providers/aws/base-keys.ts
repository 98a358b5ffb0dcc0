/**
 * Warnings for AWS base keys that `agentid aws set-base-keys` stores anyway: the request check
 * (src/protocol/requests.ts) takes whatever an AWS client would send, so emulator keys work, and
 * what looks like a placeholder or a key AssumeRole cannot use is stored with a warning, never
 * refused. Pure; a warning never echoes a secret.
 */

/** IAM user keys: AKIA + 16 upper-case letters and digits. */
const IAM_USER_KEY = /^AKIA[A-Z0-9]{16}$/;
const PLACEHOLDER = /example|test|dummy|fake|changeme|placeholder|^x+$|^(foo|bar|key|id|secret)$/i;

export function baseKeyWarnings(accessKeyId: string, secretAccessKey: string): string[] {
  if (PLACEHOLDER.test(accessKeyId) || PLACEHOLDER.test(secretAccessKey)) {
    return [
      'the keys look like placeholders: fine for an emulator (moto, LocalStack), AWS itself will refuse them',
    ];
  }
  if (accessKeyId.startsWith('ASIA')) {
    return [
      'ASIA… is a temporary key: AssumeRole also needs its session token, which base keys cannot carry; use an IAM user key (AKIA…)',
    ];
  }
  if (!IAM_USER_KEY.test(accessKeyId)) {
    return ['the access key id is not shaped like an IAM user key (AKIA + 16 letters and digits)'];
  }
  return [];
}
