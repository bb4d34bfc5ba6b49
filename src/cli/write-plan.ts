import { planChunks } from '../plan/plan-file.js';
import type { Plan } from '../plan/types.js';
import { palette } from '../render/colors.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { renderPlanText } from '../render/plan-text.js';

export type PlanFormat = 'text' | 'markdown' | 'json';

/**
 * A plan on stdout, as `plan` and `show` both print it: json is the canonical plan JSON (the
 * bytes a saved plan file holds, written a chunk of lines at a time, never as one string),
 * markdown the PR comments with their separator, text the Terraform-like listing.
 */
export function writePlan(plan: Plan, format: PlanFormat): void {
  if (format === 'json') for (const chunk of planChunks(plan)) process.stdout.write(chunk);
  else if (format === 'markdown')
    process.stdout.write(renderPlanMarkdown(plan).join('\n\n<!-- accord: next comment -->\n\n'));
  else process.stdout.write(`${renderPlanText(plan, palette())}\n`);
}
