import type { Change, ChangeAction, ChangeKind, ChangeResult } from '../../model/change.js';
import type { IdpSnapshot, SnapshotScope } from '../../model/snapshot.js';
import type { OneLoginConnection } from '../../policy/types.js';
import type { ApplyContext, Progress, Provider, ProviderEvents } from '../provider.js';
import { applyAccount } from './accounts.js';
import { connectionVariables, OneLoginClient, type ClientTiming } from './client.js';
import { Directory } from './directory.js';
import { applyMemberships, MEMBERSHIP_BATCH } from './memberships.js';
import { failed, skipped } from './results.js';
import { applyGroup } from './roles.js';
import { parseBase } from './incremental.js';
import { readOneLogin, readSnapshot, type OneLoginRead } from './snapshot.js';

export interface OneLoginProviderOptions {
  /** Variable names from `platforms.onelogin.connection` (defaults ONELOGIN_URL, ...). */
  connection?: OneLoginConnection;
  env: NodeJS.ProcessEnv;
  /** Retry and budget timing; tests shorten the waits. */
  timing?: ClientTiming;
  /** The run's sink for waits and requests. */
  events?: ProviderEvents;
}

/**
 * The OneLogin account through its API v2. The client is made on first use, so building the
 * provider never fails; a missing or unsafe variable is reported when accord first needs it.
 */
export class OneLoginProvider implements Provider<IdpSnapshot> {
  readonly id = 'onelogin' as const;
  private state: { client: OneLoginClient; directory: Directory } | undefined;

  /** The account this provider reads, for the snapshot cache's key: its URL, never a secret. */
  readonly cacheIdentity: string;

  constructor(private readonly options: OneLoginProviderOptions) {
    this.cacheIdentity = options.env[connectionVariables(options.connection).url] ?? '';
  }

  private connection(): { client: OneLoginClient; directory: Directory } {
    if (!this.state) {
      const variables = connectionVariables(this.options.connection);
      const client = OneLoginClient.fromEnv(
        variables,
        this.options.env,
        this.options.timing,
        this.options.events,
      );
      this.state = { client, directory: new Directory(client) };
    }
    return this.state;
  }

  /** The client, for tests and benchmarks that read its rate budget. */
  get client(): OneLoginClient {
    return this.connection().client;
  }

  async snapshot(scope: SnapshotScope, progress?: Progress): Promise<IdpSnapshot> {
    const { client, directory } = this.connection();
    return readSnapshot(client, directory, scope, progress);
  }

  /**
   * A snapshot built on what an earlier one left (`base`, from the snapshot cache; see
   * incremental.ts): users by `updated_since`, role members and MFA devices only where OneLogin's
   * events say they moved, apps in full; anything it cannot trust reads everything. `read.base`
   * is for the next one.
   */
  async snapshotIncremental(
    scope: SnapshotScope,
    progress: Progress | undefined,
    base: unknown,
  ): Promise<OneLoginRead> {
    const { client, directory } = this.connection();
    const parsed = base === undefined ? undefined : parseBase(base);
    const read = await readOneLogin(client, directory, scope, progress, parsed);
    return base !== undefined && !parsed
      ? { ...read, fallback: 'the cached OneLogin read is malformed' }
      : read;
  }

  /**
   * Roles first (grants may name them), then accounts (one call each), then memberships (one call
   * per role and direction). A token is fetched before anything is sent, so bad credentials or an
   * unreachable account throw one AccordError instead of failing every change.
   */
  async apply(batch: Change[], ctx: ApplyContext = {}): Promise<ChangeResult[]> {
    if (batch.length === 0) return [];
    const { client, directory } = this.connection();
    await client.connect();
    const results = new Map<string, ChangeResult>();
    const record = (r: ChangeResult) => results.set(r.changeId, r);
    const aborted = (change: Change) => {
      if (!ctx.signal?.aborted) return false;
      record(skipped(change, 'not sent: apply was aborted'));
      return true;
    };

    for (const change of batch.filter((c) => c.kind === 'group'))
      if (!aborted(change)) record(await applyGroup(client, directory, change));
    for (const change of batch.filter((c) => c.kind === 'account'))
      if (!aborted(change)) record(await applyAccount(client, directory, change));
    const memberships = batch.filter((c) => c.kind === 'membership' && !aborted(c));
    if (memberships.length) for (const r of await applyMemberships(client, directory, memberships)) record(r);
    for (const change of batch)
      if (!results.has(change.id)) record(failed(change, `onelogin: cannot apply a ${change.kind} change`));
    return batch.map((c) => results.get(c.id)!);
  }

  maxBatch(kind: ChangeKind, action: ChangeAction): number {
    return kind === 'membership' && (action === 'grant' || action === 'revoke') ? MEMBERSHIP_BATCH : 1;
  }
}
