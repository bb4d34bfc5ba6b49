import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { execute, type Batch } from '../apply/executor.js';
import { staleChanges } from '../apply/preconditions.js';
import { AccordError } from '../errors.js';
import type { Change, ChangeResult } from '../model/change.js';
import type { State } from '../model/state.js';
import { canonicalJson, sha256 } from '../model/canonical-json.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/types.js';
import type { Provider } from '../providers/provider.js';
import { palette } from '../render/colors.js';
import { renderPlanText, summaryLine } from '../render/plan-text.js';
import { appendAudit, currentActor, currentGitCommit, defaultAuditPath } from '../state/audit.js';
import { Journal } from '../state/journal.js';
import { acquireLock } from '../state/lock.js';
import { defaultStatePath, readState } from '../state/state-file.js';
import { writeState } from '../state/write-state.js';
import { computePlan, snapshotAndPlan, type PlanInputOptions } from './compute-plan.js';
import { withPlanInputOptions } from './plan.js';

interface ApplyOptions extends PlanInputOptions {
  autoApprove?: boolean;
  allowLargeChange?: boolean;
  parallelism: number;
  audit?: string;
  verify?: boolean;
}

/**
 * `accord apply [PLANFILE]`: applies a saved plan exactly as reviewed (stale changes skipped), or
 * plans, shows and asks first. State and the audit log are written after every batch, under a
 * lock, with a journal of in-flight batches so an interrupted run is detected next time.
 */
export function registerApply(program: Command): void {
  withPlanInputOptions(
    program
      .command('apply')
      .argument(
        '[planfile]',
        'a plan saved by `accord plan --out`; without it, plan now and ask before applying',
      )
      .description(
        'apply a plan through the providers (exit 0 all applied, 1 if anything failed or was refused)',
      ),
  )
    .option('--auto-approve', 'apply without asking (required when stdin is not a terminal)')
    .option(
      '--allow-large-change',
      'apply a plan that guard rails blocked (deprovision cap, separation of duties)',
    )
    .addOption(new Option('--parallelism <n>', 'batches in flight per platform').argParser(Number).default(4))
    .option('--audit <file>', 'audit log (default: state/<environment>.audit.jsonl)')
    .option(
      '--verify',
      'plan again after applying and report whether live state converged (default with --sandbox)',
    )
    .action(async (planfile: string | undefined, options: ApplyOptions) => {
      // The sandbox is throwaway: its state and audit go to a temp dir, never into tracked files.
      const scratch =
        options.sandbox && !options.state ? mkdtempSync(join(tmpdir(), 'accord-sandbox-')) : undefined;
      const inputs = { ...options, ...(scratch ? { state: join(scratch, 'sandbox.state.json') } : {}) };
      const { plan: fresh, policy, providers, close } = await computePlan(inputs);
      try {
        const statePath = inputs.state ?? defaultStatePath(policy.settings.environment);
        const auditPath =
          options.audit ??
          (scratch ? join(scratch, 'sandbox.audit.jsonl') : defaultAuditPath(policy.settings.environment));
        const c = palette();
        let plan = fresh;
        let stale = new Map<string, string>();
        if (planfile) {
          plan = await readPlanFile(planfile);
          if (plan.policyDigest !== policy.digest) {
            throw new AccordError(
              `${planfile} was planned from a different policy than the one in ${options.policies}`,
              {
                code: 'apply.policy-changed',
                hint: 'plan again (`accord plan --out`) and review the new plan',
              },
            );
          }
          stale = staleChanges(plan.changes, fresh.changes);
          process.stdout.write(
            `Applying ${planfile}: ${plan.changes.length} changes, ${stale.size} stale.\n`,
          );
        } else {
          process.stdout.write(`${renderPlanText(plan, c)}\n`);
        }
        if (plan.changes.length === 0) {
          process.stdout.write('Nothing to apply.\n');
          process.exitCode = 0;
          return;
        }
        if (plan.blocked && !options.allowLargeChange) {
          throw new AccordError(`the plan is blocked by guard rails: ${plan.blockedReasons.join('; ')}`, {
            code: 'apply.blocked',
            hint: 'review it; if it is intended, apply with --allow-large-change',
          });
        }
        if (!planfile && !options.autoApprove) await confirm(plan);

        const lock = await acquireLock(statePath, 'apply');
        try {
          const report = await applyChanges(plan, stale, providers, {
            statePath,
            auditPath,
            parallelism: options.parallelism,
          });
          const { counts } = report;
          const tally = `Apply complete: ${counts.applied} applied, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.stale} stale.`;
          for (const r of report.results.filter((x) => x.status === 'failed')) {
            const change = plan.changes.find((x) => x.id === r.changeId);
            process.stdout.write(
              `${c.red('failed')} ${change?.address ?? r.changeId} ${change?.action ?? ''}: ${r.message ?? ''}\n`,
            );
          }
          process.stdout.write(`${counts.failed > 0 ? c.red(tally) : c.green(tally)}\n`);
          process.exitCode = counts.failed > 0 ? 1 : 0;
        } finally {
          await lock.release();
        }

        if (options.verify || options.sandbox) {
          // The same target as the apply: changes outside it were never meant to be made.
          const { plan: again } = await snapshotAndPlan(
            policy,
            providers,
            await readState(statePath),
            options.target,
          );
          if (again.changes.length === 0)
            process.stdout.write(`${c.green('Converged:')} a new plan has 0 changes.\n`);
          else {
            process.stdout.write(
              `${c.yellow('Not converged:')} a new plan still has changes. ${summaryLine(again)}\n`,
            );
            process.exitCode = 1;
          }
        }
      } finally {
        await close();
      }
    });
}

async function readPlanFile(path: string): Promise<Plan> {
  let plan: Plan;
  try {
    plan = JSON.parse(await readFile(path, 'utf8')) as Plan;
  } catch (error) {
    throw new AccordError(`cannot read plan file ${path}: ${(error as Error).message}`, {
      code: 'apply.plan-file',
    });
  }
  if (plan.formatVersion !== PLAN_FORMAT_VERSION || !Array.isArray(plan.changes)) {
    throw new AccordError(`${path} is not an accord plan (formatVersion ${PLAN_FORMAT_VERSION})`, {
      code: 'apply.plan-file',
    });
  }
  return plan;
}

async function confirm(plan: Plan): Promise<void> {
  if (!process.stdin.isTTY) {
    throw new AccordError('refusing to apply without confirmation: stdin is not a terminal', {
      code: 'apply.confirm',
      hint: 'review the plan and pass --auto-approve, or apply a saved plan file',
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`Apply ${plan.changes.length} changes? Only "yes" is accepted: `);
  rl.close();
  if (answer.trim() !== 'yes') throw new AccordError('apply cancelled', { code: 'apply.cancelled' });
}

interface Paths {
  statePath: string;
  auditPath: string;
  parallelism: number;
}

/** Executes, writing the journal before each batch and state + audit after it. */
async function applyChanges(plan: Plan, stale: Map<string, string>, providers: Provider[], paths: Paths) {
  const journal = await Journal.open(paths.statePath);
  const interrupted = await journal.inFlight();
  if (interrupted.length > 0) {
    process.stderr.write(
      `note: an earlier apply stopped with ${interrupted.length} batch(es) in flight; live state was re-read, so nothing is sent twice\n`,
    );
  }
  await journal.clear();
  let state: State = await readState(paths.statePath);
  const actor = currentActor();
  const gitCommit = await currentGitCommit();
  const byId = new Map(plan.changes.map((c) => [c.id, c]));
  const planHash = sha256(canonicalJson(plan));
  const record = async (batchChanges: Change[], results: ChangeResult[]) => {
    state = nextState(state, batchChanges, results, plan, gitCommit);
    await writeState(paths.statePath, state);
    await appendAudit(
      paths.auditPath,
      results.map((r) => {
        const change = byId.get(r.changeId)!;
        return {
          time: new Date().toISOString(),
          actor,
          gitCommit,
          planHash,
          address: change.address,
          action: change.action,
          rule: change.reason.rule ?? null,
          result: r.status,
          ...(r.message ? { message: r.message } : {}),
        };
      }),
    );
  };
  const report = await execute(plan.changes, new Map(providers.map((p) => [p.id, p])), {
    parallelism: paths.parallelism,
    stale,
    beforeBatch: (batch: Batch) =>
      journal.begin({
        id: batch.id,
        platform: batch.platform,
        changeIds: batch.changes.map((c) => c.id),
        startedAt: new Date().toISOString(),
      }),
    afterBatch: async (batch, results) => {
      await record(batch.changes, results);
      await journal.complete(
        batch.id,
        results.map((r) => ({ changeId: r.changeId, status: r.status })),
      );
    },
  });
  const unsent = report.results.filter((r) => r.status === 'stale' || r.status === 'skipped');
  if (unsent.length > 0)
    await record(
      unsent.map((r) => byId.get(r.changeId)!),
      unsent,
    );
  await journal.clear();
  return report;
}

/** State after a batch: links for accounts accord created or activated, ownership of what it created. */
function nextState(
  state: State,
  changes: Change[],
  results: ChangeResult[],
  plan: Plan,
  gitCommit: string | null,
): State {
  const applied = new Set(results.filter((r) => r.status === 'applied').map((r) => r.changeId));
  const links = { ...state.links };
  const owned = new Set(state.owned);
  for (const c of changes) {
    if (!applied.has(c.id)) continue;
    if (
      c.kind === 'account' &&
      c.person &&
      (c.action === 'create' || c.action === 'activate' || c.action === 'update')
    ) {
      links[c.person] = { ...links[c.person], [c.platform]: c.account.key };
    }
    if (c.action === 'create') owned.add(c.address);
  }
  return {
    ...state,
    // A state file is born with a lineage that later applies keep, so two histories never mix.
    lineage: state.serial === 0 && /^[0-]+$/.test(state.lineage) ? randomUUID() : state.lineage,
    serial: state.serial + 1,
    links,
    owned: [...owned].sort(),
    fingerprints: { ...state.fingerprints, ...plan.snapshotFingerprints },
    lastApply: {
      planDigest: plan.policyDigest,
      ...(gitCommit ? { gitCommit } : {}),
      at: new Date().toISOString(),
    },
  };
}
