import type { Command } from 'commander';

/**
 * Terraform's single-dash spellings (`-out=plan.json`, `-out plan.json`, `-target=ADDR`,
 * `-auto-approve`, `-detailed-exitcode`, `-json`), rewritten to accord's own before commander sees
 * them. Commander reads `-out=plan.json` as the short flag `-o` with the value `ut=plan.json`, so
 * without this step a Terraform habit silently writes a file named `ut=plan.json`.
 *
 * Only a word that is exactly the long name of an option accord declares is rewritten, so short
 * flags and their attached values (`-p dir`, `-fjson`, `-oplan.json`) keep commander's meaning,
 * and an option's value is never touched (`--base -out` stays a value).
 */

/** How an option is spelt on the command line, and whether the word after it is its value. */
export interface Spellings {
  /** Long names without dashes (`out`, `auto-approve`, `no-code`). */
  long: Set<string>;
  /** Every spelling (`-o`, `--out`) of an option that takes a value in the next word. */
  takesValue: Set<string>;
}

/** The spellings of every option of the program and its commands, at any depth. */
export function spellingsOf(program: Command): Spellings {
  const long = new Set<string>(['help']);
  const takesValue = new Set<string>();
  const visit = (command: Command) => {
    for (const option of command.options) {
      if (option.long) long.add(option.long.replace(/^--/, ''));
      if (option.required || option.optional)
        for (const flag of [option.short, option.long]) if (flag) takesValue.add(flag);
    }
    command.commands.forEach(visit);
  };
  visit(program);
  return { long, takesValue };
}

/** `-json`: Terraform's switch for machine output, which accord spells `--format json`. */
const JSON_SWITCH = new Set(['-json', '--json']);

/** The user's arguments (without node and the script) in the spellings commander parses. */
export function normaliseArgs(args: readonly string[], spellings: Spellings): string[] {
  const out: string[] = [];
  let isValue = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (isValue) {
      out.push(arg); // the value of the option before it, whatever it looks like
      isValue = false;
      continue;
    }
    if (arg === '--') {
      for (const a of args.slice(i)) out.push(a);
      break;
    }
    if (JSON_SWITCH.has(arg)) {
      out.push('--format', 'json');
      continue;
    }
    const single = /^-([a-z][a-z0-9-]+)(=.*)?$/s.exec(arg);
    const word = single && spellings.long.has(single[1]!) ? `-${arg}` : arg;
    out.push(word);
    isValue = spellings.takesValue.has(word);
  }
  return out;
}

/** `process.argv` (node, script, arguments) for `program.parseAsync`, normalised. */
export const normaliseArgv = (argv: readonly string[], program: Command): string[] => [
  ...argv.slice(0, 2),
  ...normaliseArgs(argv.slice(2), spellingsOf(program)),
];
