/**
 * A real rsyslog (Debian package `rsyslog`) for the shipping tests and benchmark: its own config,
 * pid file and work dir in a temp dir, listening on loopback (imtcp with octet-counted framing,
 * and imudp or a Unix datagram socket through imuxsock when asked), writing every message from
 * agentid to a file, one line per message with the fields rsyslog parsed out of it (or only the
 * MSGID, for the benchmark). It can be stopped and started again on the same ports, to play a
 * collector outage.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((path) => existsSync(path)) ?? null;

/** Why rsyslog tests cannot run here, or null when they can. */
export const rsyslogMissing: string | null =
  RSYSLOGD === null ? 'rsyslogd is not installed (Debian package rsyslog; .ci/run installs it)' : null;

/** One message as rsyslog parsed it (RFC 5424 fields) and wrote it. */
export interface ReceivedMessage {
  msgId: string;
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  structuredData: string;
  /** The MSG part: the OCSF event's JSON. */
  msg: string;
}

export interface Rsyslog {
  tcpPort: number;
  /** The file rsyslog writes what it received to. */
  output: string;
  udpPort: number | null;
  unixSocket: string | null;
  dir: string;
  /** Every message received so far, in the order rsyslog wrote them. */
  messages(): ReceivedMessage[];
  stop(): Promise<void>;
  /** Starts again on the same ports (after stop). */
  start(): Promise<void>;
  close(): Promise<void>;
}

const FIELDS = [
  '%msgid%',
  '%pri%',
  '%timereported:::date-rfc3339%',
  '%hostname%',
  '%app-name%',
  '%procid%',
  '%structured-data%',
  '%msg%',
];

export async function startRsyslog(
  options: { udp?: boolean; unix?: boolean; msgIdOnly?: boolean } = {},
): Promise<Rsyslog> {
  if (RSYSLOGD === null) throw new Error(rsyslogMissing ?? 'no rsyslogd');
  const dir = mkdtempSync(join(tmpdir(), 'agentid-rsyslog-'));
  mkdirSync(join(dir, 'work'));
  const out = join(dir, 'received.log');
  const portFile = join(dir, 'tcp.port');
  const udpPort = options.udp ? await freeUdpPort() : null;
  const unixSocket = options.unix ? join(dir, 'log.sock') : null;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const config = (tcpPort: number) =>
    [
      `global(workDirectory="${dir}/work" maxMessageSize="64k")`,
      'module(load="imtcp")',
      `input(type="imtcp" address="127.0.0.1" port="${tcpPort}" listenPortFileName="${portFile}")`,
      ...(udpPort === null
        ? []
        : ['module(load="imudp")', `input(type="imudp" address="127.0.0.1" port="${udpPort}")`]),
      ...(unixSocket === null
        ? []
        : [
            'module(load="imuxsock" SysSock.Use="off")',
            // The special parser knows only the traditional format; the parser chain reads RFC 5424.
            `input(type="imuxsock" Socket="${unixSocket}" UseSpecialParser="off" IgnoreTimestamp="off" UsePIDFromSystem="off" CreatePath="off")`,
          ]),
      `template(name="fields" type="string" string="${(options.msgIdOnly ? FIELDS.slice(0, 1) : FIELDS).join('\\t')}\\n")`,
      // rsyslog's own start and stop messages go elsewhere (nowhere): only agentid's count.
      `if $app-name == "agentid" then action(type="omfile" file="${out}" template="fields")`,
      '',
    ].join('\n');

  async function run(tcpPort: number): Promise<void> {
    rmSync(portFile, { force: true });
    const conf = join(dir, 'rsyslog.conf');
    writeFileSync(conf, config(tcpPort));
    const started = spawn(RSYSLOGD as string, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    started.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (started.exitCode !== null) throw new Error(`rsyslogd exited with ${started.exitCode}: ${stderr}`);
      // rsyslog writes the port file only for port 0; a restart listens on the port it had.
      const port = tcpPort || (existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : 0);
      if (port > 0 && (await accepts(port)) && (unixSocket === null || existsSync(unixSocket))) return;
      if (Date.now() > deadline) throw new Error(`rsyslogd did not listen within 20 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  await run(0);
  const tcpPort = Number(readFileSync(portFile, 'utf8').trim());
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return {
    tcpPort,
    output: out,
    udpPort,
    unixSocket,
    dir,
    messages: () => parse(existsSync(out) ? readFileSync(out, 'utf8') : ''),
    stop,
    start: () => run(tcpPort),
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function parse(text: string): ReceivedMessage[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [msgId, pri, timestamp, hostname, appName, procId, structuredData, ...msg] = line.split('\t');
      return {
        msgId: msgId ?? '',
        pri: Number(pri),
        timestamp: timestamp ?? '',
        hostname: hostname ?? '',
        appName: appName ?? '',
        procId: procId ?? '',
        structuredData: structuredData ?? '',
        msg: msg.join('\t'),
      };
    });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A UDP port free right now (imudp cannot report the one it picked, as imtcp can). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
