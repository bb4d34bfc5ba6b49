import { describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { normaliseArgs, normaliseArgv, spellingsOf } from '../../src/cli/argv.js';
import { buildProgram } from '../../src/cli/main.js';

/** Terraform's single-dash spellings, rewritten before commander parses them (src/cli/argv.ts). */
const spellings = spellingsOf(buildProgram());
const normalise = (...args: string[]) => normaliseArgs(args, spellings);

describe('normaliseArgs', () => {
  it.each([
    [
      ['plan', '-out=plan.json'],
      ['plan', '--out=plan.json'],
    ],
    [
      ['plan', '-out', 'plan.json'],
      ['plan', '--out', 'plan.json'],
    ],
    [
      ['plan', '-json'],
      ['plan', '--format', 'json'],
    ],
    [
      ['show', 'plan.json', '-json'],
      ['show', 'plan.json', '--format', 'json'],
    ],
    [
      ['plan', '-target=okta.user["a@b"]'],
      ['plan', '--target=okta.user["a@b"]'],
    ],
    [
      ['plan', '-target', 'okta.'],
      ['plan', '--target', 'okta.'],
    ],
    [
      ['apply', '-auto-approve'],
      ['apply', '--auto-approve'],
    ],
    [
      ['plan', '-detailed-exitcode'],
      ['plan', '--detailed-exitcode'],
    ],
    [
      ['apply', '-parallelism=8', '-lock-timeout=5m'],
      ['apply', '--parallelism=8', '--lock-timeout=5m'],
    ],
    [
      ['plan', '-no-code', '-state=s.json'],
      ['plan', '--no-code', '--state=s.json'],
    ],
    [['-version'], ['--version']],
    [
      ['plan', '-help'],
      ['plan', '--help'],
    ],
  ])('%j → %j', (args, expected) => {
    expect(normalise(...args)).toEqual(expected);
  });

  it.each([
    // Short flags, alone or with their value attached, keep commander's meaning.
    [['plan', '-p', 'dir', '-f', 'json', '-o', 'plan.json']],
    [['plan', '-pdir', '-fjson', '-oplan.json']],
    [['-V']],
    [['plan', '-h']],
    // Double-dash spellings pass untouched.
    [['plan', '--out=plan.json', '--format', 'markdown']],
    // A word that is not exactly a long option name is not guessed at: commander reads it as before.
    [['plan', '-outfile', '-jsonl', '-Out=x']],
    // An option's value is never rewritten, whatever it looks like.
    [['diff', '--base', '-out', '--head', '-json']],
    [['plan', '--seed', '-5', '-p', '-json']],
    // Nothing after `--`.
    [['plan', '--', '-out=x', '-json']],
  ])('leaves %j as it is', (args) => {
    expect(normalise(...args)).toEqual(args);
  });

  it('has a single-dash spelling for every long option any command declares', () => {
    const visit = (command: Command): string[] => [
      ...command.options.flatMap((o) => (o.long ? [o.long] : [])),
      ...command.commands.flatMap(visit),
    ];
    const longs = visit(buildProgram());
    expect(longs).toEqual(expect.arrayContaining(['--out', '--target', '--auto-approve', '--no-code']));
    for (const long of longs) expect(normalise(long.slice(1))).toEqual([long]);
  });

  it('keeps node and the script path of process.argv', () => {
    expect(normaliseArgv(['node', 'accord', 'plan', '-json'], buildProgram())).toEqual([
      'node',
      'accord',
      'plan',
      '--format',
      'json',
    ]);
  });
});

/** What commander makes of the normalised words: the options an action would be called with. */
async function parsed(args: string[]): Promise<{ command: string; args: unknown[]; options: object }> {
  const program = buildProgram().exitOverride();
  let seen: { command: string; args: unknown[]; options: object } | undefined;
  const stub = (command: Command) => {
    // Replaces the lazy action, so nothing runs: only the parse is under test.
    command.action((...received: unknown[]) => {
      const self = received.at(-1) as Command;
      seen = { command: self.name(), args: received.slice(0, -2), options: self.opts() };
    });
    command.commands.forEach(stub);
  };
  program.commands.forEach(stub);
  await program.parseAsync(normaliseArgv(['node', 'accord', ...args], program));
  if (!seen) throw new Error(`no action ran for ${args.join(' ')}`);
  return seen;
}

describe('Terraform spellings, parsed', () => {
  it('plan -out=plan.json -json -target=… -detailed-exitcode', async () => {
    const run = await parsed([
      'plan',
      '-out=plan.json',
      '-json',
      '-target=okta.',
      '-target=salesforce.prod.',
      '-detailed-exitcode',
    ]);
    expect(run.options).toMatchObject({
      out: 'plan.json',
      format: 'json',
      target: ['okta.', 'salesforce.prod.'],
      detailedExitcode: true,
    });
  });

  it('plan -out plan.json, with the value in the next word', async () => {
    expect((await parsed(['plan', '-out', 'plan.json'])).options).toMatchObject({ out: 'plan.json' });
  });

  it('apply PLANFILE -auto-approve -parallelism=8', async () => {
    const run = await parsed(['apply', 'plan.json', '-auto-approve', '-parallelism=8']);
    expect(run.args).toEqual(['plan.json']);
    expect(run.options).toMatchObject({ autoApprove: true, parallelism: 8 });
  });

  it('show PLANFILE -json', async () => {
    const run = await parsed(['show', 'plan.json', '-json']);
    expect(run).toMatchObject({ command: 'show', args: ['plan.json'], options: { format: 'json' } });
  });

  it('the short flags still work: -p, -f, -o, attached or not', async () => {
    expect((await parsed(['plan', '-p', 'pol', '-f', 'markdown', '-o', 'x.json'])).options).toMatchObject({
      policies: 'pol',
      format: 'markdown',
      out: 'x.json',
    });
    expect((await parsed(['plan', '-ppol', '-fjson', '-ox.json'])).options).toMatchObject({
      policies: 'pol',
      format: 'json',
      out: 'x.json',
    });
    expect((await parsed(['validate', '-p', 'pol', '-f', 'json'])).options).toMatchObject({
      policies: 'pol',
      format: 'json',
    });
  });
});
