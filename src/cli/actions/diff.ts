import { canonicalJson } from '../../model/canonical-json.js';
import { runDiff } from '../../engine/run-diff.js';
import { palette } from '../../render/colors.js';
import { renderPolicyDiffMarkdown } from '../../render/policy-diff-markdown.js';
import { renderPolicyDiffText } from '../../render/policy-diff-text.js';
import { planContext, type EnvironmentOptions } from '../environment.js';
import type { PolicyOptions } from '../options.js';

interface DiffOptions extends PolicyOptions, EnvironmentOptions {
  base: string;
  head: string;
  state?: string;
  impact: boolean;
  format: 'text' | 'markdown' | 'json';
}

/** `accord diff` (declared in commands/diff.ts). */
export default async function diff(options: DiffOptions): Promise<void> {
  const diff = await runDiff(options, planContext(options));
  if (options.format === 'json')
    process.stdout.write(`${JSON.stringify(JSON.parse(canonicalJson(diff)), null, 2)}\n`);
  else if (options.format === 'markdown')
    process.stdout.write(renderPolicyDiffMarkdown(diff).join('\n\n<!-- accord: next comment -->\n\n'));
  else process.stdout.write(`${renderPolicyDiffText(diff, palette())}\n`);
  process.exitCode = 0;
}
