/** `[idp]` validation: defaults, and every mistake named with the key and the fix. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';

const parse = (text: string) => parseConfig(text, 'config.toml');

describe('[idp] config', () => {
  it('fills the defaults and stays null without the table', () => {
    expect(parse('').idp).toBeNull();
    expect(parse('[idp]\nissuer = "https://login.example.com"\nclient_id = "agentid"\n').idp).toEqual({
      issuer: 'https://login.example.com',
      clientId: 'agentid',
      clientSecretName: null,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      audience: null,
      groupsClaim: 'groups',
      timeoutMs: 10_000,
    });
  });

  it.each([
    ['[idp]\nclient_id = "a"\n', /issuer is required/],
    ['[idp]\nissuer = "https://x"\n', /client_id is required/],
    ['[idp]\nissuer = "http://login.example.com"\nclient_id = "a"\n', /https:\/\//],
    ['[idp]\nissuer = "https://x"\nclient_id = "a"\nscopes = ["email"]\n', /include "openid"/],
    ['[idp]\nissuer = "https://x"\nclient_id = "a"\ntimeout_ms = 5\n', /timeout_ms/],
    ['[idp]\nissuer = "https://x"\nclient_id = "a"\nclientid = "b"\n', /unknown key "clientid"/],
  ])('refuses %j', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('allows plain http only on loopback', () => {
    expect(parse('[idp]\nissuer = "http://127.0.0.1:8080"\nclient_id = "a"\n').idp?.issuer).toBe(
      'http://127.0.0.1:8080',
    );
  });
});
