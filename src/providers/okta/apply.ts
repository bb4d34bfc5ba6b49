import type { UserProfile } from '@okta/okta-sdk-nodejs';
import pLimit from 'p-limit';
import type { Change, ChangeResult } from '../../model/change.js';
import type { ApplyContext } from '../provider.js';
import { lifecycleFor, rawStatusOf } from './lifecycle.js';
import { connectionFailure, describeOktaError } from './okta-errors.js';
import type { OktaSession } from './okta-session.js';
import { nameKey, quote, type OktaDirectoryCache } from './snapshot.js';
import { isRecord } from '../../model/json.js';

/**
 * Applies changes one API call each (Okta has no batch endpoints), a few at a time, each call
 * paced by its endpoint family's rate budget. Ids come from the change, else from the last
 * snapshot, else from one look-up by natural key.
 *
 * Writes that are not idempotent (creating a user or a group, lifecycle transitions) look before
 * they re-send after a 5xx or a lost connection: the earlier attempt may have landed even though
 * its answer was lost. After a 429 they re-send at once, since Okta refused it unprocessed.
 */

export const APPLY_CONCURRENCY = 4;

/** A change that cannot be carried out as asked, found before or without an API error. */
class Refused extends Error {}

interface Live {
  id: string;
  status?: string;
}

export async function applyBatch(
  session: OktaSession,
  batch: Change[],
  ctx: ApplyContext | undefined,
  cache: OktaDirectoryCache,
): Promise<ChangeResult[]> {
  const { secrets } = session.errorContext;
  // Without a token no change can be made; each says so rather than apply throwing.
  const signedIn = session.signIn().then(
    () => undefined,
    (error: unknown) =>
      connectionFailure(error, session.errorContext)?.message ?? describeOktaError(error, secrets),
  );
  const limit = pLimit(APPLY_CONCURRENCY);
  const cyclic = inCycles(batch);
  const byId = new Map<string, Promise<ChangeResult>>();
  let finished = 0;

  const attempt = async (change: Change): Promise<ChangeResult> => {
    if (cyclic.has(change.id)) {
      return {
        changeId: change.id,
        status: 'failed',
        message: 'depends on itself through other changes of the batch',
      };
    }
    // A dependency in the same batch must succeed first. The wait is outside the concurrency limit,
    // so dependents can't hold every slot while their dependency queues behind them.
    for (const dep of change.dependsOn) {
      const result = await byId.get(dep);
      if (result && result.status !== 'applied') {
        return {
          changeId: change.id,
          status: 'skipped',
          message: `depends on ${dep}, which was not applied`,
        };
      }
    }
    const signInFailure = await signedIn;
    if (signInFailure) return { changeId: change.id, status: 'failed', message: signInFailure };
    return limit(() =>
      ctx?.signal?.aborted
        ? { changeId: change.id, status: 'skipped' as const, message: 'not started: apply was aborted' }
        : applyOne(session, change, cache),
    );
  };
  const run = async (change: Change): Promise<ChangeResult> => {
    // Lets every change of the batch register its promise before any looks up its dependencies.
    await Promise.resolve();
    const result = await attempt(change);
    finished++;
    ctx?.progress?.({
      platform: 'okta',
      phase: 'apply',
      pages: finished,
      records: finished,
      done: finished === batch.length,
    });
    return result;
  };
  const results = batch.map((change) => {
    const promise = run(change);
    if (!byId.has(change.id)) byId.set(change.id, promise);
    return promise;
  });
  return Promise.all(results);
}

/** Changes whose dependencies within the batch lead back to themselves (a plan never has them). */
function inCycles(batch: Change[]): Set<string> {
  const ids = new Set(batch.map((c) => c.id));
  const pending = new Map(batch.map((c) => [c.id, c.dependsOn.filter((d) => ids.has(d))]));
  // Peel off changes whose dependencies are all settled; whatever remains waits on a cycle.
  let progress = true;
  while (progress) {
    progress = false;
    for (const [id, deps] of pending) {
      if (deps.every((d) => !pending.has(d))) {
        pending.delete(id);
        progress = true;
      }
    }
  }
  return new Set(pending.keys());
}

async function applyOne(
  session: OktaSession,
  change: Change,
  cache: OktaDirectoryCache,
): Promise<ChangeResult> {
  try {
    if (change.platform !== 'okta') throw new Refused(`not an Okta change (platform ${change.platform})`);
    const ops = new Operations(session, cache);
    switch (change.kind) {
      case 'account':
        return await ops.account(change);
      case 'membership':
        return await ops.membership(change);
      case 'group':
        return await ops.group(change);
      default:
        throw new Refused(`Okta has no ${change.kind} changes`);
    }
  } catch (error) {
    const message =
      error instanceof Refused
        ? error.message
        : (connectionFailure(error, session.errorContext)?.message ??
          describeOktaError(error, session.errorContext.secrets));
    return { changeId: change.id, status: 'failed', message };
  }
}

const applied = (change: Change, extra: Partial<ChangeResult> = {}): ChangeResult => ({
  changeId: change.id,
  status: 'applied',
  ...extra,
});

class Operations {
  private readonly users;
  private readonly groups;

  constructor(
    private readonly session: OktaSession,
    private readonly cache: OktaDirectoryCache,
  ) {
    this.users = session.client.userApi;
    this.groups = session.client.groupApi;
  }

  // ---- accounts -------------------------------------------------------------------------------

  async account(change: Change): Promise<ChangeResult> {
    switch (change.action) {
      case 'create':
        return this.createUser(change);
      case 'update':
        return this.updateUser(change);
      case 'suspend':
      case 'deactivate':
      case 'activate':
        return this.transition(change);
      default:
        throw new Refused(`Okta accounts cannot be asked to ${change.action}`);
    }
  }

  private async createUser(change: Change): Promise<ChangeResult> {
    const after = isRecord(change.after) ? change.after : {};
    const profile = { ...(isRecord(after.profile) ? after.profile : {}) };
    if (typeof profile.login !== 'string' || profile.login === '') profile.login = change.account.key;
    const login = String(profile.login);
    const activate = after.activate === true;
    const user = await this.session.call('users', async (_attempt, { mayHaveLanded }) => {
      if (mayHaveLanded) {
        const landed = await this.findUser(login);
        if (landed) return landed;
      }
      const created = await this.users.createUser({
        body: { profile: profile as UserProfile },
        activate,
      });
      return { id: created.id!, status: created.status as string | undefined };
    });
    this.remember(login, user);
    return applied(change, { createdId: user.id, detail: { status: user.status } });
  }

  private async updateUser(change: Change): Promise<ChangeResult> {
    const after = isRecord(change.after) ? change.after : {};
    const profile = isRecord(after.profile) ? after.profile : undefined;
    if (!profile || Object.keys(profile).length === 0)
      throw new Refused('nothing to update: after.profile is empty');
    const userId = await this.userId(change);
    // A partial update (POST) sets the same values however often it is sent: safe to retry as is.
    const user = await this.session.call('user', () =>
      this.users.updateUser({ userId, user: { profile: profile as UserProfile } }),
    );
    if (typeof profile.login === 'string') {
      this.cache.userIdByLogin.delete(nameKey(change.account.key));
      this.remember(profile.login, { id: userId, status: user.status });
    }
    return applied(change);
  }

  private async transition(change: Change): Promise<ChangeResult> {
    const userId = await this.userId(change);
    const known = rawStatusOf(change.before) ?? this.cache.statusById.get(userId);
    const status = known ?? (change.action === 'activate' ? await this.liveStatus(userId) : undefined);
    const step = lifecycleFor(change.action, status);
    if (step.kind === 'refuse') throw new Refused(step.message);
    if (step.kind === 'noop') return applied(change, { message: step.message });
    const after = isRecord(change.after) ? change.after : {};
    const sendEmail = typeof after.sendEmail === 'boolean' ? after.sendEmail : undefined;
    // A suspended user's open sessions (and OAuth tokens) would outlive the suspension (UC-11).
    // Revoked first: if the suspension then fails, the change fails and the next run does both
    // again, whereas revoking after a suspension that landed could never be retried (a suspended
    // user plans no change). Deactivation ends Okta's sessions by itself.
    if (step.operation === 'suspend')
      await this.session.call('lifecycle', () =>
        this.users.revokeUserSessions({ userId, oauthTokens: true }),
      );
    await this.session.call('lifecycle', async (_attempt, { mayHaveLanded }) => {
      if (mayHaveLanded && step.landed) {
        const now = await this.users.getUser({ userId });
        if (step.landed.includes(String(now.status))) return;
      }
      switch (step.operation) {
        case 'suspend':
          return this.users.suspendUser({ userId });
        case 'unsuspend':
          return this.users.unsuspendUser({ userId });
        case 'unlock':
          return this.users.unlockUser({ userId });
        case 'deactivate':
          // Deactivation is where accord stops: it never deletes an Okta user.
          return this.users.deactivateUser({ userId, sendEmail: false });
        case 'activate':
          await this.users.activateUser({ userId, ...(sendEmail !== undefined ? { sendEmail } : {}) });
          return;
        case 'reactivate':
          await this.users.reactivateUser({ userId, ...(sendEmail !== undefined ? { sendEmail } : {}) });
          return;
      }
    });
    // Activation may land in more than one status; then the cache forgets rather than guesses.
    if (step.landed?.length === 1) this.cache.statusById.set(userId, step.landed[0]!);
    else this.cache.statusById.delete(userId);
    return applied(change, { detail: { operation: step.operation, ...(status ? { from: status } : {}) } });
  }

  // ---- memberships and groups -----------------------------------------------------------------

  async membership(change: Change): Promise<ChangeResult> {
    if (change.action !== 'grant' && change.action !== 'revoke') {
      throw new Refused(`group memberships can be granted or revoked, not ${change.action}`);
    }
    const groupName = change.target?.name;
    if (!groupName && !change.target?.id) throw new Refused('a membership change needs a target group');
    const group = await this.targetGroup(change.target!);
    if (group.type && group.type !== 'OKTA_GROUP') {
      throw new Refused(
        `${groupName ?? group.id} is an ${group.type} group; only OKTA_GROUP members can be changed`,
      );
    }
    const userId = await this.userId(change);
    // PUT and DELETE of a membership are idempotent: a retry needs no check.
    if (change.action === 'grant') {
      await this.session.call('group-members', () =>
        this.groups.assignUserToGroup({ groupId: group.id, userId }),
      );
    } else {
      await this.session.call('group-members', () =>
        this.groups.unassignUserFromGroup({ groupId: group.id, userId }),
      );
    }
    return applied(change);
  }

  async group(change: Change): Promise<ChangeResult> {
    if (change.action !== 'create')
      throw new Refused(`Okta groups can be created, not asked to ${change.action}`);
    const after = isRecord(change.after) ? change.after : {};
    const profile = isRecord(after.profile) ? after.profile : after;
    const name = change.target?.name ?? (typeof profile.name === 'string' ? profile.name : undefined);
    if (!name) throw new Refused('a group create needs a name');
    const description = typeof profile.description === 'string' ? profile.description : undefined;
    const known = this.cache.groupByName.get(nameKey(name));
    if (known) return applied(change, { createdId: known.id, message: 'group exists already' });
    // The last snapshot looked for this name and found nothing: no need to look again before the first POST.
    let absenceKnown = this.cache.missingGroups.has(nameKey(name));
    let sent = false;
    let existed = false;
    const group = await this.session.call('groups', async (_attempt, { mayHaveLanded }) => {
      if (!absenceKnown || mayHaveLanded) {
        const found = await this.findGroup(name);
        if (found) {
          existed = !sent;
          return found;
        }
        absenceKnown = true;
      }
      sent = true;
      const created = await this.groups.createGroup({
        group: { profile: { name, ...(description !== undefined ? { description } : {}) } },
      });
      return { id: created.id!, type: String(created.type ?? 'OKTA_GROUP') };
    });
    this.cache.groupByName.set(nameKey(name), group);
    this.cache.missingGroups.delete(nameKey(name));
    return applied(change, { createdId: group.id, ...(existed ? { message: 'group exists already' } : {}) });
  }

  // ---- look-ups -------------------------------------------------------------------------------

  private async userId(change: Change): Promise<string> {
    if (change.account.id) return change.account.id;
    const cached = this.cache.userIdByLogin.get(nameKey(change.account.key));
    if (cached) return cached;
    const found = await this.session.call('users', () => this.findUser(change.account.key));
    if (!found) throw new Refused(`no Okta user with login ${change.account.key}`);
    this.remember(change.account.key, found);
    return found.id;
  }

  private async liveStatus(userId: string): Promise<string> {
    const user = await this.session.call('user', () => this.users.getUser({ userId }));
    return String(user.status ?? '');
  }

  private async targetGroup(target: { name: string; id?: string }): Promise<{ id: string; type?: string }> {
    if (target.id) return { id: target.id, ...this.cache.groupByName.get(nameKey(target.name)) };
    const cached = this.cache.groupByName.get(nameKey(target.name));
    if (cached) return cached;
    const found = await this.session.call('groups', () => this.findGroup(target.name));
    if (!found) throw new Refused(`no Okta group named ${target.name}`);
    this.cache.groupByName.set(nameKey(target.name), found);
    return found;
  }

  /**
   * One page of `filter=profile.login eq "..."`: unlike `search`, filter reads are not served from
   * the eventually consistent index, so a user created a moment ago is found. Not retried here:
   * callers run it inside their own retried call.
   */
  private async findUser(login: string): Promise<Live | undefined> {
    const page = await firstPage(
      await this.users.listUsers({ filter: `profile.login eq ${quote(login)}`, limit: 2 }),
    );
    const user = page.find((u) => nameKey(String(u.profile?.login ?? '')) === nameKey(login));
    return user?.id ? { id: user.id, status: user.status as string | undefined } : undefined;
  }

  /** `q` (a name prefix match) rather than `search`, which Okta serves from an eventually consistent index. */
  private async findGroup(name: string): Promise<{ id: string; type: string } | undefined> {
    const page = await firstPage(await this.groups.listGroups({ q: name, limit: 10_000 }));
    const matches = page.filter((g) => nameKey(String(g.profile?.name ?? '')) === nameKey(name));
    const group = matches.find((g) => g.profile?.name === name) ?? matches[0];
    return group?.id ? { id: group.id, type: String(group.type ?? '') } : undefined;
  }

  private remember(login: string, user: { id: string; status?: string | undefined }): void {
    this.cache.userIdByLogin.set(nameKey(login), user.id);
    if (user.status) this.cache.statusById.set(user.id, user.status);
  }
}

type Item = { id?: string; status?: unknown; type?: unknown; profile?: Record<string, unknown> };

async function firstPage(collection: { getNextPage(): Promise<Record<string, unknown>[]> }): Promise<Item[]> {
  return (await collection.getNextPage()) as Item[];
}
