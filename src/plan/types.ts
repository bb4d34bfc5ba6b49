import type { Change, ChangeAction } from '../model/change.js';
import type { Conflict, Finding } from '../model/findings.js';
import type { PlatformId } from '../model/snapshot.js';

/**
 * The Plan: a plain, versioned, JSON-serialisable value. `apply` consumes a Plan, never policy
 * directly, so what was reviewed is what runs. The same inputs give byte-identical JSON.
 * Version 2 is the compact file (plan-file.ts): what can be derived (patches, impact) is not
 * stored. A plan read from a version 1 file keeps 1, so its signature is checked as it was made.
 */
export const PLAN_FORMAT_VERSION = 2;

/** One entitlement gained or lost by one person, with the rule that causes it (UC-21, UC-25). */
export interface EntitlementDelta {
  platform: PlatformId;
  /** `account`, `profile:<name>`, `role:<name>`, `permissionSet:<Name>`, `permissionSetGroup:<Name>`, `group:<name>`, `role-membership:<name>`. */
  entitlement: string;
  rule?: string;
  sensitive?: boolean;
}

export interface PersonImpact {
  person: string;
  gained: EntitlementDelta[];
  lost: EntitlementDelta[];
  deprovisioned: boolean;
}

export interface PlanSummary {
  /** Change counts by action. */
  byAction: Partial<Record<ChangeAction, number>>;
  total: number;
  /** Distinct people losing an account somewhere (deactivate, suspend, freeze). */
  peopleDeprovisioned: number;
  peopleInScope: number;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION | 1;
  /** The instant the plan was computed for (input, not wall clock, so output is deterministic). */
  createdAt: string;
  environment: string;
  /** sha256 of the merged policy. */
  policyDigest: string;
  /** sha256 per snapshot, so `apply` can tell when the world moved. */
  snapshotFingerprints: Partial<Record<PlatformId, string>>;
  /**
   * sha256 of the change ids in plan order. Ids are content addresses, so this covers every
   * change's content, and which changes the plan holds, in what order.
   */
  changesDigest: string;
  /** Topologically ordered: every change comes after the changes it depends on. */
  changes: Change[];
  conflicts: Conflict[];
  findings: Finding[];
  impact: PersonImpact[];
  summary: PlanSummary;
  /** True when a guard rail blocks apply (deprovision cap, separation of duties) without `--allow-large-change`. */
  blocked: boolean;
  blockedReasons: string[];
  /**
   * `hmac-sha256:<hex>` over the canonical JSON of everything else, when ACCORD_PLAN_KEY was set at
   * `plan` time; `apply` with the key set refuses a plan without it or with a wrong one.
   */
  signature?: string;
}
