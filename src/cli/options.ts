import { Option, type Command } from 'commander';

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
