/**
 * Usernames are unique across every Salesforce org in the world, not just within one; the sandbox
 * stands in for "the world" with one registry shared by all its orgs.
 */
export class UsernameRegistry {
  private readonly owners = new Map<string, { org: string; id: string }>();

  owner(username: string): { org: string; id: string } | undefined {
    return this.owners.get(username.toLowerCase());
  }

  /** True when the name is free or already held by this very user. */
  isFree(username: string, org: string, id?: string): boolean {
    const held = this.owner(username);
    return !held || (held.org === org && held.id === id);
  }

  claim(username: string, org: string, id: string): void {
    this.owners.set(username.toLowerCase(), { org, id });
  }

  release(username: string, org: string, id: string): void {
    const key = username.toLowerCase();
    const held = this.owners.get(key);
    if (held && held.org === org && held.id === id) this.owners.delete(key);
  }
}
