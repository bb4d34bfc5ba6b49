/** UC-17: what validation says about mfa conditions (the schema, and OneLogin people). */
import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '../../src/policy/validate.js';

const base = fileURLToPath(new URL('../fixtures/base', import.meta.url));

async function validate(extra: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'accord-mfa-policy-'));
  try {
    cpSync(base, dir, { recursive: true });
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(extra, null, 2));
    const { diagnostics, policy } = await loadPolicy(dir, { noCode: true });
    return { policy, diagnostics: diagnostics.map((d) => `${d.severity} ${d.code} ${d.pointer ?? ''}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rule = (when: unknown) => ({
  access: [{ id: 'restricted', when, grants: { prod: { permissionSets: ['MFA_Restricted'] } } }],
});

describe('UC-17 mfa conditions in validation', () => {
  it('UC-17 accepts enrolled with an optional whole-day grace', async () => {
    const { policy, diagnostics } = await validate(rule({ mfa: { enrolled: false, graceDays: 14 } }));
    expect(diagnostics).toEqual([]);
    expect(policy?.access[0]?.when).toEqual({ mfa: { enrolled: false, graceDays: 14 } });
  });

  it.each([
    ['no enrolled', { mfa: { graceDays: 14 } }],
    ['a negative grace', { mfa: { enrolled: false, graceDays: -1 } }],
    ['a fractional grace', { mfa: { enrolled: false, graceDays: 1.5 } }],
    ['an unknown key', { mfa: { enrolled: false, days: 14 } }],
  ])('UC-17 rejects %s', async (_, when) => {
    const { diagnostics } = await validate(rule(when));
    expect(diagnostics.some((d) => d.startsWith('error schema.'))).toBe(true);
  });

  it('UC-17 OneLogin: no warning for OneLogin people, whose devices are read too', async () => {
    const { diagnostics } = await validate({
      identity: {
        source: 'okta',
        match: ['email'],
        populations: [
          {
            id: 'globex',
            owner: 'onelogin',
            when: { attribute: { name: 'email', matches: '*@globex.test' } },
          },
        ],
      },
      ...rule({ not: { mfa: { enrolled: false } } }),
    });
    expect(diagnostics.filter((d) => d.includes('mfa-onelogin'))).toEqual([]);
  });
});
