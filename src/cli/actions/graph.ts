import { runPlan, type PlanInputs } from '../../engine/run-plan.js';
import { AccordError } from '../../errors.js';
import { renderGraph, type GraphFormat } from '../../render/plan-graph.js';
import { planContext, type EnvironmentOptions } from '../environment.js';
import { readSavedPlan } from '../saved-plan.js';

type GraphOptions = PlanInputs & EnvironmentOptions & { format: GraphFormat };

/** `accord graph [PLANFILE]` (declared in commands/graph.ts). */
export default async function graph(planfile: string | undefined, options: GraphOptions): Promise<void> {
  if (planfile) {
    // A saved plan was narrowed (or not) when it was made; drawing part of it would hide the
    // dependencies apply will still run.
    if (options.target)
      throw new AccordError('--target cannot narrow a saved plan', {
        code: 'cli.target-with-plan-file',
        hint: `draw the whole plan (accord graph ${planfile}), or plan again with --target and --out`,
      });
    const { plan } = await readSavedPlan(planfile);
    process.stdout.write(renderGraph(plan, options.format));
    return;
  }
  const { plan, close } = await runPlan(options, planContext(options));
  await close();
  process.stdout.write(renderGraph(plan, options.format));
}
