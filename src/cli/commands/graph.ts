import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { formatOption, withPlanInputOptions } from '../options.js';

export function registerGraph(program: Command): void {
  withPlanInputOptions(
    program
      .command('graph')
      .argument(
        '[planfile]',
        'a plan saved by `accord plan --out`: draw it, reading no platform or policy (checked as apply checks it)',
      )
      .description('draw the change DAG of the current plan or of a saved one (Graphviz dot or Mermaid)'),
  )
    .addOption(formatOption(['dot', 'mermaid'], 'dot'))
    .action(lazyAction(() => import('../actions/graph.js')));
}
