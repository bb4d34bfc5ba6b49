import type { Command } from 'commander';
import { renderGraph, type GraphFormat } from '../render/plan-graph.js';
import { computePlan, type PlanInputOptions } from './compute-plan.js';
import { formatOption } from './options.js';
import { withPlanInputOptions } from './plan.js';

export function registerGraph(program: Command): void {
  withPlanInputOptions(
    program.command('graph').description('draw the change DAG of the current plan (Graphviz dot or Mermaid)'),
  )
    .addOption(formatOption(['dot', 'mermaid'], 'dot'))
    .action(async (options: PlanInputOptions & { format: GraphFormat }) => {
      const { plan, close } = await computePlan(options);
      try {
        process.stdout.write(renderGraph(plan, options.format));
      } finally {
        await close();
      }
    });
}
