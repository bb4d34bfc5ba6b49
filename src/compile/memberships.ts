/** The groups (Okta) or roles (OneLogin) one account is in, by name, in snapshot order. */
export interface Memberships extends Iterable<string> {
  has(name: string): boolean;
}

export const NO_MEMBERSHIPS: Memberships = {
  has: () => false,
  [Symbol.iterator]: () => [][Symbol.iterator](),
};

/**
 * Group membership indexed by group, not by account. Conditions ask "is this account in group G?"
 * for the few groups a policy names, so a group's member set is built the first time someone asks
 * about it. An index by account would build a set per account holding every membership (a million
 * at 100k people), mostly for groups no condition reads.
 */
export class MembershipIndex {
  /** Group name → member id lists (a name can be shared by several groups of a snapshot). */
  private readonly lists = new Map<string, (readonly string[])[]>();
  private readonly sets = new Map<string, ReadonlySet<string>>();

  constructor(groups: readonly { name: string; memberIds: readonly string[] }[] | undefined) {
    for (const g of groups ?? []) {
      const lists = this.lists.get(g.name);
      if (lists) lists.push(g.memberIds);
      else this.lists.set(g.name, [g.memberIds]);
    }
  }

  /** Ids of the accounts in the group (empty for a group the snapshot does not have). */
  members(name: string): ReadonlySet<string> {
    let set = this.sets.get(name);
    if (!set) {
      const lists = this.lists.get(name) ?? [];
      set = new Set(lists.length === 1 ? lists[0] : lists.flat());
      this.sets.set(name, set);
    }
    return set;
  }

  /** The memberships of one account; none without an account. */
  of(accountId: string | undefined): Memberships {
    return accountId === undefined ? NO_MEMBERSHIPS : new AccountMemberships(this, accountId);
  }

  /** Group names in snapshot order. */
  names(): Iterable<string> {
    return this.lists.keys();
  }
}

class AccountMemberships implements Memberships {
  constructor(
    private readonly index: MembershipIndex,
    private readonly accountId: string,
  ) {}

  has(name: string): boolean {
    return this.index.members(name).has(this.accountId);
  }

  *[Symbol.iterator](): Iterator<string> {
    for (const name of this.index.names()) if (this.has(name)) yield name;
  }
}

/**
 * Memberships as they will be: live ones, less `removed`, plus `added` (for the groups accord
 * owns, read at their desired membership).
 */
export function adjustedMemberships(
  live: Memberships,
  added: ReadonlySet<string>,
  removed: ReadonlySet<string>,
): Memberships {
  if (added.size === 0 && removed.size === 0) return live;
  return {
    has: (name) => !removed.has(name) && (added.has(name) || live.has(name)),
    *[Symbol.iterator]() {
      for (const name of live) if (!removed.has(name)) yield name;
      for (const name of added) if (!live.has(name) && !removed.has(name)) yield name;
    },
  };
}
