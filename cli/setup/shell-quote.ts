/** POSIX shell single-quoting: git runs `!` helpers and the AWS SDKs run credential_process through a shell (botocore: shlex). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
