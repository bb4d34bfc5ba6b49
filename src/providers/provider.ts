import type { Change, ChangeKind, ChangeAction, ChangeResult } from '../model/change.js';
import type { PlatformId, Snapshot, SnapshotScope } from '../model/snapshot.js';
import type { Platforms } from '../policy/types.js';

/**
 * The provider plugin contract (DESIGN.md). A provider is accord's only contact with a platform:
 * it reads snapshots and applies changes through the platform's own client library. Salesforce has
 * one provider instance per org.
 */

/** Progress of a long read, reported per page. The CLI shows it on stderr when that is a TTY. */
export interface ProgressEvent {
  platform: PlatformId;
  /** What is being read, e.g. `users`, `group Sales`, `PermissionSetAssignment`. */
  phase: string;
  pages: number;
  records: number;
  done?: boolean;
}
export type Progress = (event: ProgressEvent) => void;

export interface ApplyContext {
  progress?: Progress;
  /** Stop starting new calls when aborted; calls already sent finish. */
  signal?: AbortSignal;
}

export interface Provider<S extends Snapshot = Snapshot> {
  readonly id: PlatformId;
  /** Reads only what the scope names, with list endpoints at their largest page size. */
  snapshot(scope: SnapshotScope, progress?: Progress): Promise<S>;
  /**
   * Applies a batch of changes for this platform, in the largest batches the API takes.
   * One result per change, in any order; never throws for a per-change failure.
   */
  apply(batch: Change[], ctx?: ApplyContext): Promise<ChangeResult[]>;
  /** The largest number of changes of one kind and action this provider applies in one API call. */
  maxBatch(kind: ChangeKind, action: ChangeAction): number;
  /**
   * How many batches of one kind and action may be in flight at once (the executor's default is
   * 4). A platform with one change per request and no bulk endpoint (Okta memberships) raises it;
   * the provider's own rate-limit pacing keeps the requests within the platform's budget.
   */
  concurrency?(kind: ChangeKind, action: ChangeAction): number;
}

/** A retry about to wait: a throttle, an unavailable platform, a 5xx or a lost connection. */
export interface WaitEvent {
  platform: PlatformId;
  /** Why, e.g. `throttled (429 REQUEST_LIMIT_EXCEEDED)`. */
  reason: string;
  delayMs: number;
  /** The attempt that failed, from 1; the next one is `attempt + 1` of `maxAttempts`. */
  attempt: number;
  maxAttempts: number;
}

/** One HTTP request as it completed. Never headers or bodies; `path` carries no query values. */
export interface RequestEvent {
  platform: PlatformId;
  method: string;
  path: string;
  /** Undefined when no response came (a network failure). */
  status?: number;
  ms: number;
}

/** Where providers report what they wait for and, if asked, every request (the CLI prints them). */
export interface ProviderEvents {
  waiting(event: WaitEvent): void;
  request?(event: RequestEvent): void;
}

/**
 * What a factory gets: the policy's `platforms` section (each factory takes its own platform's
 * settings from it and hands a provider nothing else), the environment the secrets come from,
 * and where to report waits and requests.
 */
export interface ProviderConfig {
  platforms: Platforms;
  env: NodeJS.ProcessEnv;
  events?: ProviderEvents;
}

/** One entry per platform; adding a platform is a new folder and one line in `registry.ts`. */
export interface ProviderFactory {
  /** `okta`, `onelogin` or `salesforce`. */
  platform: string;
  /** The providers these platforms need from this one (none when the policy does not declare it). */
  create(config: ProviderConfig): Provider[];
}
