import type { Command } from 'commander';
import { type Policy } from '../policy/policy.js';
import { canonicalJson } from '../model/canonical-json.js';
import { diffRefs, InvalidPolicyAtRef, type RefDiff } from '../gitops/diff-refs.js';
import type { Provider } from '../providers/provider.js';
import { createProviders } from '../providers/registry.js';
import { snapshotAll } from '../providers/snapshot-all.js';
import { palette } from '../render/colors.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { renderPolicyDiffMarkdown } from '../render/policy-diff-markdown.js';
import { renderPolicyDiffText } from '../render/policy-diff-text.js';
import { defaultStatePath, readState } from '../state/state-file.js';
import { openEnvironment, withEnvironmentOptions, type EnvironmentOptions } from './environment.js';
import { formatOption, withPolicyOptions, type PolicyOptions } from './options.js';
import { stderrProgress } from './progress.js';

interface DiffOptions extends PolicyOptions, EnvironmentOptions {
  base: string;
  head: string;
  state?: string;
  impact: boolean;
  format: 'text' | 'markdown' | 'json';
}

/** The providers both policies need: an org only one side declares is read too. */
function providersFor(policies: { base: Policy; head: Policy }, env: NodeJS.ProcessEnv): Provider[] {
  const seen = new Set<string>();
  return [policies.head, policies.base]
    .flatMap((policy) => createProviders({ platforms: policy.platforms, env }))
    .filter((p) => !seen.has(p.id) && !!seen.add(p.id));
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
      let diff: RefDiff;
      try {
        diff = await diffRefs({
          base: options.base,
          head: options.head,
          policies: options.policies,
          noCode: !options.code,
          now: new Date(),
          ...(options.impact
            ? {
                snapshot: async (scope, policies) => {
                  const environment = await openEnvironment(options);
                  try {
                    return await snapshotAll(
                      providersFor(policies, environment.env),
                      scope,
                      stderrProgress(),
                    );
                  } finally {
                    await environment.close();
                  }
                },
                state: (head: Policy) =>
                  readState(options.state ?? defaultStatePath(head.settings.environment)),
              }
            : {}),
        });
      } catch (error) {
        if (error instanceof InvalidPolicyAtRef)
          process.stderr.write(`${renderDiagnostics(error.side.diagnostics, palette(process.stderr))}\n`);
        throw error;
      }
      if (options.format === 'json')
        process.stdout.write(`${JSON.stringify(JSON.parse(canonicalJson(diff)), null, 2)}\n`);
      else if (options.format === 'markdown')
        process.stdout.write(renderPolicyDiffMarkdown(diff).join('\n\n<!-- accord: next comment -->\n\n'));
      else process.stdout.write(`${renderPolicyDiffText(diff, palette())}\n`);
      process.exitCode = 0;
    });
}
