import type { Command } from 'commander';
import { canonicalJson } from '../../model/canonical-json.js';
import { runDiff } from '../../engine/run-diff.js';
import { palette } from '../../render/colors.js';
import { renderPolicyDiffMarkdown } from '../../render/policy-diff-markdown.js';
import { renderPolicyDiffText } from '../../render/policy-diff-text.js';
import { planContext, withEnvironmentOptions, type EnvironmentOptions } from '../environment.js';
import { formatOption, withPolicyOptions, type PolicyOptions } from '../options.js';

interface DiffOptions extends PolicyOptions, EnvironmentOptions {
  base: string;
  head: string;
  state?: string;
  impact: boolean;
  format: 'text' | 'markdown' | 'json';
}

export function registerDiff(program: Command): void {
  withEnvironmentOptions(
    withPolicyOptions(
      program
        .command('diff')
        .description(
          'compare the policy at two git refs (no checkout): rules, exceptions, groups and guard rails added, changed and removed, and who gains or loses which entitlement (exit 0 shown, 1 error)',
        ),
    )
      .requiredOption('--base <ref>', 'the ref to compare from, e.g. origin/main')
      .option('--head <ref>', 'the ref to compare to', 'HEAD')
      .option('--state <file>', 'state file (default: state/<environment>.state.json of the head policy)'),
    'compute the impact against a freshly seeded in-process sandbox instead of real tenants',
  )
    .option('--no-impact', 'only the policy diff: read no platform (needs no credentials)')
    .addOption(formatOption(['text', 'markdown', 'json'], 'text'))
    .action(async (options: DiffOptions) => {
      const diff = await runDiff(options, planContext(options));
      if (options.format === 'json')
        process.stdout.write(`${JSON.stringify(JSON.parse(canonicalJson(diff)), null, 2)}\n`);
      else if (options.format === 'markdown')
        process.stdout.write(renderPolicyDiffMarkdown(diff).join('\n\n<!-- accord: next comment -->\n\n'));
      else process.stdout.write(`${renderPolicyDiffText(diff, palette())}\n`);
      process.exitCode = 0;
    });
}
