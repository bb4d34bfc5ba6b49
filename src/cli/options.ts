import { Option, type Command } from 'commander';
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
