import { describe, expect, it } from '@jest/globals';
import { oneLine } from '../../src/providers/salesforce/errors.js';

describe('Salesforce per-record messages', () => {
  it('are redacted before they are cut: a secret across the cut does not escape by halves', () => {
    const secret = 'S3cr3t-token-value-that-is-long-0123456789';
    const text = `${'x'.repeat(280)} ${secret} trailing words`;
    const line = oneLine(text, [secret]);
    expect(line.length).toBeLessThanOrEqual(300);
    expect(line).not.toContain(secret.slice(0, 12));
  });
});
