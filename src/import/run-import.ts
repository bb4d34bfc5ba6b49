import { AccordError } from '../errors.js';
import type { Snapshots, SnapshotScope } from '../model/snapshot.js';
import { emptyState } from '../model/state.js';
import { createPlan } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import type { Progress, ProviderEvents } from '../providers/provider.js';
import { createProviders } from '../providers/registry.js';
import { snapshotAll } from '../providers/snapshot-all.js';
import {
  buildImport,
  validateFiles,
  type ExistingPolicy,
  type ImportFile,
  type ImportReport,
  type ReviewNote,
} from './build.js';
import { platformsFromEnv } from './identity.js';
import type { Thresholds } from './mine.js';

/**
 * `accord import` end to end: read every platform the connection names (every group and role
 * included), infer the policy (build.ts), validate it as `accord validate` would, and plan it
 * against the same snapshots, as `accord plan` would on a fresh state.
 */

/** Everything, so that any group or role can explain a grant: the snapshot scope of import. */
export const IMPORT_SCOPE: SnapshotScope = {
  oktaGroups: [],
  oneloginRoles: [],
  allGroups: true,
  includeDeprovisioned: true,
  salesforceFields: [],
};

export interface ImportRun {
  files: ImportFile[];
  /** The links to decide, for reviewers (see links.ts). */
  review?: ReviewNote;
  report: ImportReport & { plan: PlanSummary };
  snapshots: Snapshots;
  plan: Plan;
}

export interface PlanSummary {
  /** What `accord plan` against the imported policy and these snapshots would change. */
  changes: number;
  /** Changes by `action kind (rule)`, e.g. `freeze user (lifecycle.statuses.deprovisioned)`. */
  byReason: Record<string, number>;
  conflicts: number;
  blocked: boolean;
  blockedReasons: string[];
}

export interface ImportContext {
  connect: () => Promise<{ env: NodeJS.ProcessEnv; close: () => Promise<void> }>;
  progress?: Progress;
  events?: ProviderEvents;
}

export async function runImport(
  options: {
    thresholds: Thresholds;
    environment: string;
    now?: Date;
    exceptionDays?: number;
    /** The policy already in the folder: import proposes only what it does not explain. */
    existing?: ExistingPolicy;
    /** See ImportOptions.holdLeavers. */
    holdLeavers?: boolean;
    /** See ImportOptions.minMirrorAgreement. */
    minMirrorAgreement?: number;
  },
  context: ImportContext,
): Promise<ImportRun> {
  const now = options.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const environment = await context.connect();
  let snapshots: Snapshots;
  // Over an existing policy, its platforms (their settings name the connection); else the environment's.
  const platforms = options.existing?.policy.platforms ?? platformsFromEnv(environment.env);
  try {
    if (!platforms.okta && !platforms.onelogin)
      throw new AccordError(
        'import: no identity provider to read (neither OKTA_ORG_URL nor ONELOGIN_URL is set)',
        {
          code: 'import.no-idp',
          hint: 'set the connection variables (README "Credentials"), or try it with --sandbox',
        },
      );
    if (!platforms.salesforce)
      throw new AccordError(
        'import: no Salesforce org to read (no SF_<ORG>_INSTANCE_URL or SF_<ORG>_LOGIN_URL)',
        {
          code: 'import.no-org',
          hint: 'set the connection variables of each org (README "Credentials")',
        },
      );
    const providers = createProviders({
      platforms,
      env: environment.env,
      ...(context.events ? { events: context.events } : {}),
    });
    snapshots = await snapshotAll(providers, IMPORT_SCOPE, context.progress);
  } finally {
    await environment.close();
  }
  const built = buildImport(snapshots, platforms, {
    thresholds: options.thresholds,
    environment: options.environment,
    today,
    ...(options.exceptionDays !== undefined ? { exceptionDays: options.exceptionDays } : {}),
    ...(options.existing ? { existing: options.existing } : {}),
    ...(options.holdLeavers ? { holdLeavers: true } : {}),
    ...(options.minMirrorAgreement !== undefined ? { minMirrorAgreement: options.minMirrorAgreement } : {}),
  });
  const policy = validateFiles(built.files, today, options.existing?.documents);
  const plan = createPlan(policy, snapshots, emptyState(), { now });
  return {
    files: built.files,
    ...(built.review ? { review: built.review } : {}),
    report: { ...built.report, plan: summarise(plan) },
    snapshots,
    plan,
  };
}

export function summarise(plan: Plan): PlanSummary {
  const byReason: Record<string, number> = {};
  for (const c of plan.changes) {
    const key = `${c.action} ${c.kind} (${c.reason.rule ?? 'no rule'})`;
    byReason[key] = (byReason[key] ?? 0) + 1;
  }
  return {
    changes: plan.changes.length,
    byReason: Object.fromEntries(Object.entries(byReason).sort(([a], [b]) => (a < b ? -1 : 1))),
    conflicts: plan.conflicts.length,
    blocked: plan.blocked,
    blockedReasons: plan.blockedReasons,
  };
}
