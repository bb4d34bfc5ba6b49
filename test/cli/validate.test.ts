import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from './run-cli.js';

describe('accord validate', () => {
  it('prints the demo summary and exits 0', () => {
    const { status, stdout } = runCli(['validate']);
    expect(stdout).toContain(
      'Policy is valid: 9 documents, 8 access rules, 2 Salesforce orgs, 1 mirror, 3 managed groups, 1 exception',
    );
    expect(status).toBe(0);
  });

  it('prints one file:line:col line per error with pointer and message, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-cli-'));
    cpSync(join(repoRoot, 'test/fixtures/base'), dir, { recursive: true });
    cpSync(join(repoRoot, 'test/fixtures/invalid/unknown-rule-key'), dir, { recursive: true });
    const { status, stdout, stderr } = runCli(['validate', '--policies', '.'], { cwd: dir });
    expect(stdout.trim().split('\n')).toEqual([
      'policy.json:3:5 error /access/0: missing required key "grants" (add "grants": Entitlements by Salesforce org key, or `*` for every org.)',
      'policy.json:6:7 error /access/0/grant: unknown key "grant" (did you mean "grants"?)',
      'Policy is invalid: 2 errors',
    ]);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(status).toBe(1);
  });

  it('speaks JSON for machines', () => {
    const { status, stdout } = runCli(['validate', '--format', 'json']);
    const body = JSON.parse(stdout) as { formatVersion: number; valid: boolean; summary: { rules: number } };
    expect(body).toMatchObject({ formatVersion: 1, valid: true, summary: { rules: 8 } });
    expect(status).toBe(0);
  });

  it('refuses TypeScript policies with --no-code', () => {
    const { status, stdout } = runCli(['validate', '--no-code']);
    expect(stdout).toContain('policies/access/service.ts:1:1 error TypeScript policies are refused');
    expect(status).toBe(1);
  });

  it('explains a missing folder without a stack trace', () => {
    const { status, stdout } = runCli(['validate', '--policies', 'no-such-dir']);
    expect(stdout).toContain('policies folder "no-such-dir" does not exist');
    expect(status).toBe(1);
  });

  it('has --help', () => {
    const { status, stdout } = runCli(['validate', '--help']);
    expect(stdout).toContain('--no-code');
    expect(status).toBe(0);
  });
});
