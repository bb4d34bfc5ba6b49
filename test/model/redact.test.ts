import { afterEach, describe, expect, it } from '@jest/globals';
import { clearSecrets, redact, redactAndCut, registerSecrets, secretsInEnv } from '../../src/model/redact.js';

const CANARY = 'canary-7f3a9c2e-secret-value';

describe('redact, the one redaction point', () => {
  afterEach(() => clearSecrets());

  it('replaces a registered secret everywhere, URL-encoded too, without being passed it', () => {
    registerSecrets([CANARY, 'p@ss word/with+chars']);
    expect(redact(`token ${CANARY} and ?t=${encodeURIComponent('p@ss word/with+chars')}`)).toBe(
      'token *** and ?t=***',
    );
  });

  it('does not register values too short to be secrets, which would mangle logins', () => {
    registerSecrets(['ana', undefined, '']);
    expect(redact('ana@acme.test')).toBe('ana@acme.test');
  });

  it('takes the credential-named variables of the environment, not the others', () => {
    expect(
      secretsInEnv({
        OKTA_API_TOKEN: 'a',
        SF_PROD_PRIVATE_KEY: 'b',
        ONELOGIN_CLIENT_SECRET: 'c',
        ACCORD_PLAN_KEY: 'd',
        OKTA_ORG_URL: 'e',
        OKTA_KEY_ID: 'f',
        HOME: 'g',
      }).sort(),
    ).toEqual(['a', 'b', 'c', 'd']);
  });

  it.each([
    ['a Bearer value', 'Authorization: Bearer eyJhbGciOi.J9abc123def456', 'Authorization: ***'],
    ['an SSWS value in prose', 'sent SSWS 00abcDEF1234567890xyz', 'sent SSWS ***'],
    ['a JSON authorization', '{"authorization":"Bearer abc123def456ghi"}', '{"authorization":"***"}'],
    ['a form parameter', 'grant_type=x&client_secret=s3cr3t&x=1', 'grant_type=x&client_secret=***&x=1'],
    ['an assertion', 'assertion=eyJ0eXAi.abc.def', 'assertion=***'],
    [
      'a Salesforce session id',
      'session 00D5g000004ABCD!AQ4AQFakeTokenValue1234567890 expired',
      'session *** expired',
    ],
    [
      'a private key with escaped line breaks',
      'key: -----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY----- end',
      'key: -----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY----- end',
    ],
  ])('hides %s', (_, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('leaves prose about tokens alone', () => {
    expect(redact("unexpected token: 'x' in Basic authentication")).toBe(
      "unexpected token: 'x' in Basic authentication",
    );
  });

  it('redacts before it cuts, so half a secret cannot slip past', () => {
    registerSecrets([CANARY]);
    const text = `${'x'.repeat(40)}${CANARY}`;
    const cut = redactAndCut(text, 50);
    expect(cut).toBe(`${'x'.repeat(40)}***`);
    expect(cut).not.toContain(CANARY.slice(0, 8));
  });
});
