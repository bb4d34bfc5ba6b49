import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { baseUrl } from '../../src/providers/http/secure-url.js';
import { authenticate } from '../../src/providers/salesforce/auth.js';
import { salesforceEnvNames } from '../../src/providers/salesforce/env.js';

/** Base URLs are used as given, path included: a gateway may serve Salesforce under a path (issue 15). */
const GATEWAY = 'https://gw.example.test/salesforce';
const tokenCalls: string[] = [];
const server = setupServer(
  http.post(`${GATEWAY}/services/oauth2/token`, ({ request }) => {
    tokenCalls.push(request.url);
    return HttpResponse.json({
      access_token: 'tok',
      instance_url: `${GATEWAY}/`,
      id: `${GATEWAY}/id/00D000000000001AAA/005000000000001AAA`,
      token_type: 'Bearer',
    });
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

const names = salesforceEnvNames('prod', undefined);
const options = (env: NodeJS.ProcessEnv) => ({
  platform: 'salesforce:prod',
  names,
  env,
  version: '62.0',
  retry: { maxAttempts: 1 },
});

describe('Salesforce base URLs keep their path', () => {
  it('baseUrl keeps the path and drops a trailing slash, query and fragment', () => {
    expect(baseUrl(new URL('https://gw.example.test/salesforce/?token=x#y'))).toBe(GATEWAY);
    expect(baseUrl(new URL('https://acme.my.salesforce.com'))).toBe('https://acme.my.salesforce.com');
  });

  it('an access token with an instance URL under a path', async () => {
    const auth = await authenticate(
      options({ [names.instanceUrlEnv]: `${GATEWAY}/`, [names.accessTokenEnv]: 'tok' }),
    );
    expect(auth.instanceUrl).toBe(GATEWAY);
    expect(auth.conn.instanceUrl).toBe(GATEWAY);
  });

  it('client credentials through a login URL under a path', async () => {
    const auth = await authenticate(
      options({ [names.loginUrlEnv]: GATEWAY, [names.clientIdEnv]: 'id', [names.clientSecretEnv]: 'secret' }),
    );
    expect(tokenCalls).toEqual([`${GATEWAY}/services/oauth2/token`]);
    expect(auth.instanceUrl).toBe(GATEWAY);
  });
});
