import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption } from '../options.js';

export function registerShow(program: Command): void {
  program
    .command('show')
    .argument('<planfile>', 'a plan saved by `accord plan --out`')
    .description(
      'show a saved plan without reading any platform or policy, checked as apply checks it: shape, edits, and with ACCORD_PLAN_KEY its signature (exit 0 shown, 1 refused)',
    )
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .addHelpText(
      'after',
      `
--format json (or -json) prints the plan file's canonical JSON: byte for byte what \`accord plan --out\`
saved, the format of \`accord plan --format json\` (formatVersion 2: patches and the access impact are derived on reading; version 1 files are still read; ignore keys you do not know).`,
    )
    .action(lazyAction(() => import('../actions/show.js')));
}
