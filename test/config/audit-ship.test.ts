import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config/index.js';

const ship = (body: string) => parseConfig(`[audit.ship]\n${body}\n`, 'c.toml').audit.ship;

describe('[audit.ship]', () => {
  it('ships nowhere by default, and keeps retain_days beside it', () => {
    expect(defaultConfig().audit.ship).toEqual({ syslog: null, facility: 10, file: null });
    const config = parseConfig(
      '[audit]\nretain_days = 7\n[audit.ship]\nsyslog = "udp://10.0.0.1:514"\n',
      'c',
    );
    expect(config.audit.retainDays).toBe(7);
    expect(config.audit.ship.syslog).toEqual({
      transport: 'udp',
      host: '10.0.0.1',
      port: 514,
      url: 'udp://10.0.0.1:514',
    });
  });

  it.each([
    ['tcp://127.0.0.1:5514', { transport: 'tcp', host: '127.0.0.1', port: 5514 }],
    ['tcp://logs.example.com:6514', { transport: 'tcp', host: 'logs.example.com', port: 6514 }],
    ['udp://[::1]:514', { transport: 'udp', host: '::1', port: 514 }],
    ['unix:///dev/log', { transport: 'unix', path: '/dev/log' }],
  ])('reads syslog = %s', (url, expected) => {
    expect(ship(`syslog = "${url}"`).syslog).toEqual({ ...expected, url });
  });

  it('reads the file sink with its rotation and mode', () => {
    expect(ship('file = "/var/log/agentid/ocsf.jsonl"').file).toEqual({
      path: '/var/log/agentid/ocsf.jsonl',
      maxBytes: 10 * 1024 * 1024,
      keep: 5,
      mode: 0o600,
    });
    expect(
      ship(
        'file = "/l/o.jsonl"\nfile_max_bytes = 65536\nfile_keep = 2\nfile_mode = "0640"\nfacility = "local3"',
      ),
    ).toEqual({
      syslog: null,
      facility: 19,
      file: { path: '/l/o.jsonl', maxBytes: 65536, keep: 2, mode: 0o640 },
    });
  });

  it.each([
    ['syslog = "tcp://127.0.0.1"', 'syslog must be tcp://host:port'],
    ['syslog = "http://127.0.0.1:80"', 'syslog must be tcp://host:port'],
    ['syslog = "tcp://127.0.0.1:0"', 'syslog tcp://127.0.0.1:0: the port must be between 1 and 65535'],
    ['syslog = "tcp://127.0.0.1:70000"', 'syslog tcp://127.0.0.1:70000: the port must be between'],
    ['syslog = "tcp://a b:1"', 'syslog must be tcp://host:port'],
    ['syslog = "unix://dev/log"', 'syslog must be tcp://host:port'],
    ['syslog = 514', 'syslog must be a URL string'],
    ['facility = "auth2"', 'facility must be one of kern, user'],
    ['file = "ocsf.jsonl"', 'file must be the absolute path of a file'],
    ['file = "/var/log/"', 'file must be the absolute path of a file'],
    ['file = "/x"\nfile_max_bytes = 100', 'file_max_bytes must be an integer between 65536'],
    ['file = "/x"\nfile_keep = 0', 'file_keep must be an integer between 1 and 100'],
    ['file = "/x"\nfile_mode = "0666"', 'file_mode must be one of "0600", "0640", "0644"'],
    ['file_keep = 3', 'file_max_bytes, file_keep and file_mode need file = "<path>"'],
    ['sylog = "tcp://h:1"', 'unknown key "sylog"'],
  ])('refuses %s', (body, message) => {
    expect(() => ship(body)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
    expect(() => ship(body)).toThrow(`c.toml: [audit.ship] ${message}`);
  });

  it('refuses [audit] ship that is not a table', () => {
    expect(() => parseConfig('[audit]\nship = "tcp://h:1"\n', 'c.toml')).toThrow(
      '"audit.ship" must be a table',
    );
  });
});
