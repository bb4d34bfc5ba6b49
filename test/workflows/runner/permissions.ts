/**
 * The GITHUB_TOKEN's permissions as a workflow declares them (`permissions:` of the workflow, or
 * of the job, which replaces it), and what each REST endpoint the fake has needs. The runner hands
 * github-script a client that refuses a call the job's token could not make, so a workflow that
 * forgets `issues: write` fails here as it would on GitHub.
 */
export type Level = 'none' | 'read' | 'write';
export type Permissions = Record<string, Level>;

const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
] as const;

/** A repository's default token ("permissive"): everything it can be given, write. */
const PERMISSIVE: Permissions = Object.fromEntries(SCOPES.map((s) => [s, 'write']));

export function resolvePermissions(workflow: unknown, job: unknown): Permissions {
  const declared = job !== undefined ? job : workflow;
  if (declared === undefined) return { ...PERMISSIVE };
  if (declared === 'read-all') return Object.fromEntries(SCOPES.map((s) => [s, 'read']));
  if (declared === 'write-all') return { ...PERMISSIVE };
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared))
    throw new Error(`permissions: cannot read ${JSON.stringify(declared)}`);
  const out: Permissions = Object.fromEntries(SCOPES.map((s) => [s, 'none']));
  for (const [scope, level] of Object.entries(declared as Record<string, unknown>)) {
    if (!(SCOPES as readonly string[]).includes(scope))
      throw new Error(`permissions: unknown scope ${scope}`);
    if (level !== 'read' && level !== 'write' && level !== 'none')
      throw new Error(`permissions: ${scope} must be read, write or none, got ${String(level)}`);
    out[scope] = level;
  }
  return out;
}

const allows = (p: Permissions, scope: string, level: 'read' | 'write') =>
  p[scope] === 'write' || (level === 'read' && p[scope] === 'read');

/** What an endpoint needs: any one of these (scope, level) pairs. */
const NEEDS: Record<string, [string, 'read' | 'write'][]> = {
  'issues.listComments': [
    ['issues', 'read'],
    ['pull-requests', 'read'],
  ],
  'issues.createComment': [
    ['issues', 'write'],
    ['pull-requests', 'write'],
  ],
  'issues.updateComment': [
    ['issues', 'write'],
    ['pull-requests', 'write'],
  ],
  'issues.deleteComment': [
    ['issues', 'write'],
    ['pull-requests', 'write'],
  ],
  'issues.listLabelsOnIssue': [
    ['issues', 'read'],
    ['pull-requests', 'read'],
  ],
  'issues.addLabels': [
    ['issues', 'write'],
    ['pull-requests', 'write'],
  ],
  'issues.removeLabel': [
    ['issues', 'write'],
    ['pull-requests', 'write'],
  ],
  'issues.listForRepo': [['issues', 'read']],
  'issues.create': [['issues', 'write']],
  'issues.update': [['issues', 'write']],
  'repos.listPullRequestsAssociatedWithCommit': [
    ['contents', 'read'],
    ['pull-requests', 'read'],
  ],
  'actions.listArtifactsForRepo': [['actions', 'read']],
  'actions.downloadArtifact': [['actions', 'read']],
};

/**
 * Throws unless the token may call the endpoint (`issues.createComment`). `onPull` says whether an
 * issues-API call is about a pull request (which `pull-requests` also allows) or an issue (only
 * `issues`).
 */
export function checkEndpoint(permissions: Permissions, endpoint: string, onPull: boolean | undefined) {
  const all = NEEDS[endpoint];
  if (!all) throw new Error(`fake GitHub: the runner knows no permission for ${endpoint}`);
  const needs = onPull === false ? all.filter(([scope]) => scope !== 'pull-requests') : all;
  if (!needs.some(([scope, level]) => allows(permissions, scope, level)))
    throw new Error(
      `HttpError: Resource not accessible by integration (${endpoint} needs ${needs
        .map(([s, l]) => `${s}: ${l}`)
        .join(' or ')}; the job's token has ${
        Object.entries(permissions)
          .filter(([, l]) => l !== 'none')
          .map(([s, l]) => `${s}: ${l}`)
          .join(', ') || 'nothing'
      })`,
    );
}
