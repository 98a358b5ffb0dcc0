/**
 * A reader that goes away (`agentid audit --json | head -1`) ends the command quietly with status
 * 0, as for any Unix filter: Node ignores SIGPIPE, so the broken pipe arrives as an EPIPE error
 * on the stream, which would otherwise end the process with a stack trace. Other write errors
 * (a full disk) still fail loudly. Installed by the entrypoints, which own `process`.
 */
export function exitQuietlyOnEpipe(stream: NodeJS.WriteStream, exit: (code: number) => never): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    throw err;
  });
}
