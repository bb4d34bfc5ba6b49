import { Option, type Command } from 'commander';
import { AccordError } from '../errors.js';
import { sandboxDefaults } from './load-sandbox.js';

/**
 * How the commands' options are declared, shared so they read the same everywhere. This module is
 * loaded for `accord --help` and `--version`, so it imports nothing that runs a command: no
 * engine, provider or renderer (see lazy-action.ts).
 */

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

export interface IntegerRange {
  min: number;
  max: number;
}

/**
 * The value of a whole-number option, or an error naming the option as its help spells it. Thrown
 * from commander's argument parser, so a bad value stops the run before any work starts.
 */
export function wholeNumber(flags: string, value: string, { min, max }: IntegerRange): number {
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new AccordError(`option '${flags}' must be a whole number from ${min} to ${max}, got '${value}'`, {
      code: 'cli.invalid-number',
    });
  return n;
}

/** A whole-number option: every numeric option is declared with this, so none takes `abc` or NaN. */
export function integerOption(flags: string, description: string, range: IntegerRange): Option {
  const option = new Option(flags, description);
  return option.argParser((value: string) => wholeNumber(option.flags, value, range));
}

/** Seeds are 32-bit, as the sandbox's generator takes them. */
export const SEED_RANGE: IntegerRange = { min: -(2 ** 31), max: 2 ** 31 - 1 };
/** The sandbox seeds up to this many people; more would only exhaust memory. */
export const PEOPLE_RANGE: IntegerRange = { min: 1, max: 1_000_000 };

/** `accord sandbox` serves its tenants on consecutive ports: okta, onelogin, salesforce:prod, salesforce:emea. */
export const SANDBOX_TENANTS = 4;
export const DEFAULT_SANDBOX_PORT = 4010;

/** `--sandbox` and the company it seeds; the values `openEnvironment` (environment.ts) reads. */
export interface EnvironmentOptions {
  sandbox?: boolean;
  /** `--sandbox-data`: the sandbox's tenants persist in this file across runs (implies `--sandbox`). */
  sandboxData?: string;
  people?: number;
  seed?: number;
}

/** `--sandbox` with its `--people` and `--seed`; `sandboxHelp` says what the sandbox is used for. */
export const withEnvironmentOptions = (command: Command, sandboxHelp: string): Command =>
  command
    .option('--sandbox', sandboxHelp)
    .addOption(
      new Option(
        '--sandbox-data <file>',
        'keep the sandbox tenants in FILE across runs (implies --sandbox): loaded when it exists, saved after writes',
      ).env('ACCORD_SANDBOX_DATA'),
    )
    .addOption(
      integerOption('--people <n>', 'people in the sandbox company', PEOPLE_RANGE).default(
        sandboxDefaults?.DEFAULT_PEOPLE,
      ),
    )
    .addOption(
      integerOption('--seed <n>', 'seed of the sandbox company', SEED_RANGE).default(
        sandboxDefaults?.DEFAULT_SEED,
      ),
    );

/** `--refresh`: whether platforms are read on top of the snapshot cache (providers/snapshot-cache.ts). */
export const refreshOption = (): Option =>
  new Option(
    '--refresh <mode>',
    'auto: read only what changed since the snapshot cache beside the state file; full: read everything',
  )
    .choices(['auto', 'full'])
    .default('auto');

/** The inputs of every plan-shaped command (plan, apply, drift, graph). */
export const withPlanInputOptions = (command: Command): Command =>
  withEnvironmentOptions(
    withPolicyOptions(command)
      .option('--state <file>', 'state file (default: state/<environment>.state.json)')
      .option(
        '--target <address-prefix...>',
        'plan only changes whose address starts with this (and what they depend on)',
      )
      .addOption(refreshOption()),
    'run against a freshly seeded in-process sandbox (emulated Okta, OneLogin, Salesforce) instead of real tenants',
  );

/** What every command that writes to the platforms takes: batches in flight, the lock, the audit log. */
export const withWriteOptions = (command: Command): Command =>
  command
    .addOption(
      // More than 64 batches in flight per platform only trips the platforms' rate limits.
      integerOption(
        '--parallelism <n>',
        'at most this many batches in flight per platform (default: what each provider declares safe per kind: 8 for Okta memberships, 4 otherwise)',
        { min: 1, max: 64 },
      ),
    )
    .addOption(
      durationOption(
        '--lock-timeout <duration>',
        'wait this long for a state lock another run holds (e.g. 30s, 5m)',
      ).default(0, '0s'),
    )
    .option('--audit <file>', 'audit log (default: beside the state file, <name>.audit.jsonl)');

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Terraform-style durations for flags such as --lock-timeout: `500ms`, `30s`, `5m`, `1h`; a bare number is seconds. */
export function parseDuration(flags: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match)
    throw new AccordError(`option '${flags}' takes a duration such as 30s, 5m or 500ms, got '${value}'`, {
      code: 'cli.duration',
    });
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS]);
}

/** A duration option (see parseDuration), checked as it is parsed like every numeric option. */
export function durationOption(flags: string, description: string): Option {
  const option = new Option(flags, description);
  return option.argParser((value: string) => parseDuration(option.flags, value));
}

/** A key from the environment; an empty value counts as unset, so `KEY=` in a workflow turns it off. */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value ? value : undefined;
}
