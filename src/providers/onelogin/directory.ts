import { ROLE_PAGE_SIZE, USER_PAGE_SIZE, type OneLoginClient } from './client.js';
import { USER_FIELDS, type WireUser } from './attributes.js';

/**
 * Ids of users and roles by their natural keys (username, role name), learnt from the last
 * snapshot and from what apply created, so apply looks up only what it has never seen: one
 * filtered GET per unknown name instead of a listing.
 */
export class Directory {
  private readonly users = new Map<string, number>();
  private readonly roles = new Map<string, number>();

  constructor(private readonly client: OneLoginClient) {}

  rememberUser(username: string | null, id: number): void {
    if (username) this.users.set(username.toLowerCase(), id);
  }

  rememberRole(name: string, id: number): void {
    this.roles.set(name.toLowerCase(), id);
  }

  /** The user with this username, asking OneLogin only when it isn't known yet. */
  async userId(username: string, known?: string): Promise<number | undefined> {
    if (known !== undefined && /^\d+$/.test(known)) return Number(known);
    const cached = this.users.get(username.toLowerCase());
    if (cached !== undefined) return cached;
    const user = await this.findUser(username);
    return user?.id;
  }

  /** A fresh lookup by username (exact, case-insensitive), bypassing the cache: verify-before-retry. */
  async findUser(username: string): Promise<WireUser | undefined> {
    // The filter may match more loosely (wildcards, case); only an exact match counts.
    const { body } = await this.client.request<WireUser[]>('GET', 'api/2/users', {
      searchParams: { username, fields: USER_FIELDS.join(','), limit: USER_PAGE_SIZE },
    });
    const user = body.find((u) => u.username?.toLowerCase() === username.toLowerCase());
    if (user) this.rememberUser(user.username, user.id);
    return user;
  }

  async roleId(name: string, known?: string): Promise<number | undefined> {
    if (known !== undefined && /^\d+$/.test(known)) return Number(known);
    const cached = this.roles.get(name.toLowerCase());
    if (cached !== undefined) return cached;
    return (await this.findRole(name))?.id;
  }

  /** A fresh lookup by name (exact, case-insensitive): one call, whatever the number of roles. */
  async findRole(name: string): Promise<{ id: number; name: string } | undefined> {
    const { body } = await this.client.request<{ id: number; name: string }[]>('GET', 'api/2/roles', {
      searchParams: { name, limit: ROLE_PAGE_SIZE },
    });
    const role = body.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (role) this.rememberRole(role.name, role.id);
    return role;
  }
}
