/**
 * A small in-memory fake of the GitHub REST calls the workflows' github-script steps make
 * (.github/accord/github.cjs): issues, comments, labels, pull requests of a commit, artifacts.
 * An endpoint it does not have throws (never a silent undefined). The workflow runner
 * (runner/workflow-runner.ts) uses one fake across runs, registering pull requests and artifacts.
 */
export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { type: string };
}
export interface FakeArtifact {
  id: number;
  name: string;
  expired: boolean;
  created_at: string;
  workflow_run: { id: number; head_sha: string; head_repository_id: number };
}
export interface FakePull {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string;
  head: { sha: string; repo: { id: number } };
}
export interface FakeIssue {
  number: number;
  state: string;
  state_reason?: string;
  body: string;
  labels: string[];
  title: string;
}

/** `github.rest.<namespace>.<endpoint>`, throwing for an endpoint the fake does not have. */
function strict<T extends object>(target: T, path: string): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      if (typeof key === 'symbol' || key === 'then' || Reflect.has(object, key))
        return Reflect.get(object, key, receiver) as unknown;
      throw new Error(`fake GitHub: no endpoint ${path}.${key}`);
    },
  });
}

export function fakeGitHub() {
  const comments: FakeComment[] = [];
  const labels = new Map<number, string[]>();
  const issues: FakeIssue[] = [];
  const pulls = new Map<string, FakePull[]>();
  const artifacts: FakeArtifact[] = [];
  const calls: string[] = [];
  let next = 100;
  type P = Record<string, unknown>;
  const rest = {
    issues: {
      listComments: (p: P) => comments.filter((c) => c.issue === p.issue_number),
      createComment: async (p: P) => {
        calls.push(`createComment #${String(p.issue_number)}`);
        comments.push({
          id: next++,
          issue: Number(p.issue_number),
          body: String(p.body),
          user: { type: 'Bot' },
        });
      },
      updateComment: async (p: P) => {
        calls.push(`updateComment ${String(p.comment_id)}`);
        comments.find((c) => c.id === p.comment_id)!.body = String(p.body);
      },
      deleteComment: async (p: P) => {
        calls.push(`deleteComment ${String(p.comment_id)}`);
        comments.splice(
          comments.findIndex((c) => c.id === p.comment_id),
          1,
        );
      },
      listLabelsOnIssue: (p: P) => (labels.get(Number(p.issue_number)) ?? []).map((name) => ({ name })),
      addLabels: async (p: P) => {
        const n = Number(p.issue_number);
        labels.set(n, [...new Set([...(labels.get(n) ?? []), ...(p.labels as string[])])]);
      },
      removeLabel: async (p: P) => {
        const n = Number(p.issue_number);
        labels.set(
          n,
          (labels.get(n) ?? []).filter((l) => l !== p.name),
        );
      },
      listForRepo: (p: P) =>
        issues.filter(
          (i) =>
            (p.state === 'all' || i.state === (p.state ?? 'open')) &&
            String(p.labels ?? '')
              .split(',')
              .filter(Boolean)
              .every((l) => i.labels.includes(l)),
        ),
      create: async (p: P) => {
        calls.push(`createIssue ${String(p.title)}`);
        const issue = {
          number: next++,
          state: 'open',
          body: String(p.body),
          title: String(p.title),
          labels: (p.labels as string[] | undefined) ?? [],
        };
        issues.push(issue);
        return { data: issue };
      },
      update: async (p: P) => {
        calls.push(`updateIssue #${String(p.issue_number)}`);
        const issue = issues.find((i) => i.number === Number(p.issue_number));
        if (!issue) throw new Error(`fake GitHub: no issue #${String(p.issue_number)}`);
        if (p.body !== undefined) issue.body = String(p.body);
        if (p.title !== undefined) issue.title = String(p.title);
        if (p.state !== undefined) issue.state = String(p.state);
        if (p.state_reason !== undefined) issue.state_reason = String(p.state_reason);
        return { data: issue };
      },
    },
    repos: {
      listPullRequestsAssociatedWithCommit: async (p: P) => ({ data: pulls.get(String(p.commit_sha)) ?? [] }),
    },
    actions: {
      listArtifactsForRepo: async (p: P) => ({
        data: { artifacts: artifacts.filter((a) => a.name === p.name) },
      }),
    },
  };
  const github = {
    rest: strict(
      Object.fromEntries(
        Object.entries(rest).map(([namespace, endpoints]) => [
          namespace,
          strict(endpoints, `rest.${namespace}`),
        ]),
      ) as typeof rest,
      'rest',
    ),
    paginate: async (fn: (p: P) => unknown, p: P) => fn(p),
  };
  const context = {
    serverUrl: 'https://github.example',
    repo: { owner: 'acme', repo: 'access' },
    runId: 4242,
    sha: 'm'.repeat(40),
    payload: { pull_request: { number: 7, head: { sha: 'a'.repeat(40) } } },
  };
  return { github, context, comments, labels, issues, pulls, artifacts, calls };
}
