import type { Command } from 'commander';
import { runPlan, type PlanInputs } from '../../engine/run-plan.js';
import { renderGraph, type GraphFormat } from '../../render/plan-graph.js';
import { planContext, type EnvironmentOptions } from '../environment.js';
import { formatOption, withPlanInputOptions } from '../options.js';

export function registerGraph(program: Command): void {
  withPlanInputOptions(
    program.command('graph').description('draw the change DAG of the current plan (Graphviz dot or Mermaid)'),
  )
    .addOption(formatOption(['dot', 'mermaid'], 'dot'))
    .action(async (options: PlanInputs & EnvironmentOptions & { format: GraphFormat }) => {
      const { plan, close } = await runPlan(options, planContext(options));
      await close();
      process.stdout.write(renderGraph(plan, options.format));
    });
}
