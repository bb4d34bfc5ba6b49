/**
 * Every action a change can take, in one table; the `ChangeAction` type, the plan's order and
 * every renderer derive from it.
 *
 * - Rows are in **summary order**, the order a plan is counted and read in. It follows a person's
 *   life (arrive, change, gain, lose, leave), so a summary reads as a story.
 * - `rank` is the **run order** among changes that explicit `dependsOn` edges leave free (an
 *   account before its grants, freeze before transfer before deactivate are edges): 1. accounts
 *   are created or 2. reactivated, 3. updated (profile and licence before the grants that need
 *   them), 4. access is granted, 5. leavers are frozen, 6. their records move, 7. access is
 *   revoked, 8. accounts are suspended or deactivated. Creating a managed group runs before all of
 *   them (rank 0, see order-changes.ts). Ties break on the address, then the action.
 * - `mark`: `+` adds access, `-` takes it away, `~` alters what exists (freeze and suspend are
 *   reversible); `colour` is the mark's colour in every renderer.
 */
export const ACTIONS = [
  { action: 'create', rank: 1, mark: '+', colour: 'green' },
  { action: 'update', rank: 3, mark: '~', colour: 'yellow' },
  { action: 'activate', rank: 2, mark: '+', colour: 'green' },
  { action: 'grant', rank: 4, mark: '+', colour: 'green' },
  { action: 'revoke', rank: 7, mark: '-', colour: 'red' },
  { action: 'freeze', rank: 5, mark: '~', colour: 'yellow' },
  { action: 'transfer', rank: 6, mark: '~', colour: 'yellow' },
  { action: 'suspend', rank: 8, mark: '~', colour: 'yellow' },
  { action: 'deactivate', rank: 8, mark: '-', colour: 'red' },
] as const;

type Row = (typeof ACTIONS)[number];
export type ChangeAction = Row['action'];
export type ChangeMark = Row['mark'];
export type ActionColour = Row['colour'];

/** The actions in summary order. */
export const ACTION_ORDER: readonly ChangeAction[] = ACTIONS.map((a) => a.action);

const BY_ACTION = new Map<string, Row>(ACTIONS.map((a) => [a.action, a]));

export const isChangeAction = (value: unknown): value is ChangeAction =>
  typeof value === 'string' && BY_ACTION.has(value);

/** The row of an action; every ChangeAction has one. */
export const actionOf = (action: ChangeAction): Row => BY_ACTION.get(action)!;
