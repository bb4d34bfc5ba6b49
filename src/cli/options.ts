import { Option, type Command } from 'commander';
import { AccordError } from '../errors.js';
import { withEnvironmentOptions } from './environment.js';

/** Options that every policy-reading command shares, declared once so they read the same everywhere. */
export interface PolicyOptions {
  policies: string;
  code: boolean;
}

export const withPolicyOptions = (command: Command): Command =>
  command
    .option('-p, --policies <dir>', 'folder of policy files (*.json, *.ts)', 'policies')
    .option(
      '--no-code',
      'refuse TypeScript policy files (they run as code); use when planning untrusted changes',
    );

export const formatOption = (formats: readonly string[], fallback: string): Option =>
  new Option('-f, --format <format>', 'output format').choices(formats).default(fallback);

/** The inputs of every plan-shaped command (plan, apply, drift, graph). */
export const withPlanInputOptions = (command: Command): Command =>
  withEnvironmentOptions(
    withPolicyOptions(command)
      .option('--state <file>', 'state file (default: state/<environment>.state.json)')
      .option(
        '--target <address-prefix...>',
        'plan only changes whose address starts with this (and what they depend on)',
      ),
    'run against a freshly seeded in-process sandbox (emulated Okta, OneLogin, Salesforce) instead of real tenants',
  );

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Terraform-style durations for flags such as --lock-timeout: `500ms`, `30s`, `5m`, `1h`; a bare number is seconds. */
export function parseDuration(flag: string): (value: string) => number {
  return (value) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
    if (!match)
      throw new AccordError(`${flag} takes a duration such as 30s, 5m or 500ms, got '${value}'`, {
        code: 'cli.duration',
      });
    return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS]);
  };
}

/** A key from the environment; an empty value counts as unset, so `KEY=` in a workflow turns it off. */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value ? value : undefined;
}
