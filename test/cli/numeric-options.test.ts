import { describe, expect, it } from '@jest/globals';
import type { Command, Option } from 'commander';
import { AccordError } from '../../src/errors.js';
import { buildProgram } from '../../src/cli/main.js';
import { runMain } from './run-cli.js';

/** Every numeric option is checked by commander's argument parser, before any work starts. */

const optionsOf = (command: Command, path: string[] = []): { path: string[]; option: Option }[] => [
  ...command.options.map((option) => ({ path, option })),
  ...command.commands.flatMap((c) => optionsOf(c, [...path, c.name()])),
];
/** Options whose value is a number or a duration, found by the value's name in their flags. */
const numeric = optionsOf(buildProgram()).filter(({ option }) => /<(n|duration)>/.test(option.flags));

describe('numeric options', () => {
  it('are all found', () => {
    const names = numeric.map(({ path, option }) => `${path.join(' ')} ${option.long}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'apply --parallelism',
        'apply --lock-timeout',
        'apply --people',
        'plan --seed',
        'sandbox --port',
        'sandbox --people',
        'sandbox --seed',
      ]),
    );
  });

  it.each(numeric.map(({ path, option }) => [`${path.join(' ')} ${option.flags}`, option]))(
    '%s refuses abc, NaN and an empty value with an AccordError naming the option',
    (_name, option) => {
      for (const bad of ['abc', '', '12abc', 'NaN', 'Infinity']) {
        const parse = () => (option as Option).parseArg!(bad, undefined);
        expect(parse).toThrow(AccordError);
        expect(parse).toThrow(`option '${(option as Option).flags}'`);
      }
    },
  );

  it.each([
    [
      ['apply', '--parallelism', '0'],
      "option '--parallelism <n>' must be a whole number from 1 to 64, got '0'",
    ],
    [
      ['apply', '--parallelism', 'abc'],
      "option '--parallelism <n>' must be a whole number from 1 to 64, got 'abc'",
    ],
    [
      ['apply', '-parallelism=65'],
      "option '--parallelism <n>' must be a whole number from 1 to 64, got '65'",
    ],
    [
      ['plan', '--sandbox', '--people', 'abc'],
      "option '--people <n>' must be a whole number from 1 to 1000000, got 'abc'",
    ],
    [
      ['drift', '--sandbox', '--seed', '1e3'],
      "option '--seed <n>' must be a whole number from -2147483648 to 2147483647, got '1e3'",
    ],
    [['sandbox', '--port', 'abc'], "option '--port <n>' must be a whole number from 0 to 65532, got 'abc'"],
    [['sandbox', '--people', '0'], "option '--people <n>' must be a whole number from 1 to 1000000, got '0'"],
    [
      ['apply', '--lock-timeout', '5 minutes'],
      "option '--lock-timeout <duration>' takes a duration such as 30s, 5m or 500ms, got '5 minutes'",
    ],
  ])('accord %j: one error line, exit 1, nothing done', async (args, message) => {
    const run = await runMain(args);
    expect(run).toEqual({ status: 1, stdout: '', stderr: `error: ${message}\n` });
  });

  it('takes good values, signs included', async () => {
    const program = buildProgram();
    const sandbox = program.commands.find((c) => c.name() === 'sandbox')!;
    const seed = sandbox.options.find((o) => o.long === '--seed')!;
    expect(seed.parseArg!('-7', undefined)).toBe(-7);
    expect(seed.parseArg!(' +7 ', undefined)).toBe(7);
    expect(() => seed.parseArg!('1.5', undefined)).toThrow('must be a whole number');
    const apply = program.commands.find((c) => c.name() === 'apply')!;
    expect(apply.options.find((o) => o.long === '--lock-timeout')!.parseArg!('1.5s', undefined)).toBe(1500);
  });
});
