import { describe, expect, it } from 'vitest';
import { awsContainerEnv } from '../../cli/aws-env.js';

const endpoint = {
  uri: 'http://127.0.0.1:4242/agentid/aws/credentials',
  token: 't0ken',
  region: 'eu-west-1',
};

describe('awsContainerEnv', () => {
  it('points the child at the endpoint and drops inherited static keys and profile selection', () => {
    const env = awsContainerEnv(
      {
        PATH: '/bin',
        AWS_ACCESS_KEY_ID: 'AKIA',
        AWS_SECRET_ACCESS_KEY: 's',
        AWS_SESSION_TOKEN: 't',
        AWS_SECURITY_TOKEN: 't',
        AWS_PROFILE: 'prod',
        AWS_DEFAULT_PROFILE: 'prod',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/x',
        AWS_WEB_IDENTITY_TOKEN_FILE: '/tok',
        AWS_ROLE_ARN: 'arn',
      },
      endpoint,
    );
    expect(env).toEqual({
      PATH: '/bin',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.uri,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 't0ken',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });

  it("keeps the user's own region choice", () => {
    const env = awsContainerEnv({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-1' }, endpoint);
    expect([env.AWS_REGION, env.AWS_DEFAULT_REGION]).toEqual(['us-west-2', 'us-west-1']);
  });
});
