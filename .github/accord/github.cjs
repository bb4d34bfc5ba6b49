'use strict';
/**
 * The GitHub side of accord's workflows: pull request comments and labels, finding the reviewed
 * plan of a merged pull request, the apply-result comment and the drift issue. Each workflow step
 * loads this file with actions/github-script and passes what that action provides, so the same
 * code runs in tests against a fake `github` client. Kept free of require(): everything it needs
 * comes in as arguments (github, context, core, and `read` for files).
 */

/** GitHub refuses a comment body longer than this. */
const GITHUB_LIMIT = 65536;
/** accord's Markdown output puts this between the bodies of separate comments (render/*-markdown.ts). */
const SEPARATOR = '<!-- accord: next comment -->';
const PLAN_LABELS = ['accord:changes', 'accord:no-changes', 'accord:deprovision', 'accord:blocked'];

const runUrl = (context) =>
  `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
const short = (sha) => String(sha ?? '').slice(0, 12);
/** A code fence longer than any backtick run in the text, so log lines cannot close it. */
const fenced = (text) => {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text.replace(/\n+$/, '')}\n${fence}`;
};
/** The last lines of a log, small enough for a comment; colour codes removed. */
const tail = (text, lines = 80, chars = 20000) =>
  String(text ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .slice(-lines)
    .join('\n')
    .slice(-chars);
const parts = (markdown) =>
  String(markdown ?? '')
    .split(SEPARATOR)
    .map((p) => p.trim())
    .filter(Boolean);

/** `<!-- accord-plan env=production part=1 -->`: finds this environment's comments again. */
const markerOf = (kind, environment, part) => `<!-- accord-${kind} env=${environment} part=${part} -->`;
const MARKER = /^<!-- accord-(\w+) env=(\S+) part=(\d+) -->/;

/**
 * Creates, updates and deletes this environment's comments so that exactly `bodies` stand, in
 * order: part i is updated in place, extra parts are created, parts a shorter body no longer needs
 * are deleted. Only comments by a bot with our marker are touched.
 */
async function upsertComments(github, context, issue_number, kind, environment, bodies) {
  const comments = await github.paginate(github.rest.issues.listComments, { ...context.repo, issue_number });
  const mine = new Map();
  for (const c of comments) {
    const m = MARKER.exec(c.body ?? '');
    if (c.user?.type === 'Bot' && m && m[1] === kind && m[2] === environment) mine.set(Number(m[3]), c);
  }
  for (const [i, text] of bodies.entries()) {
    const body = `${markerOf(kind, environment, i + 1)}\n${text}`;
    const existing = mine.get(i + 1);
    if (!existing) await github.rest.issues.createComment({ ...context.repo, issue_number, body });
    else if (existing.body !== body)
      await github.rest.issues.updateComment({ ...context.repo, comment_id: existing.id, body });
  }
  for (const [part, c] of mine)
    if (part > bodies.length) await github.rest.issues.deleteComment({ ...context.repo, comment_id: c.id });
}

/** Packs sections into bodies under GitHub's limit; a section is never cut (the renderer did that). */
function pack(first, sections, limit = GITHUB_LIMIT - 200) {
  const bodies = [];
  let current = first;
  for (const s of sections) {
    if (current && `${current}\n\n${s}`.length > limit) {
      bodies.push(current);
      current = s;
    } else current = current ? `${current}\n\n${s}` : s;
  }
  if (current) bodies.push(current);
  return bodies.map((b, i) => (i === 0 ? b : `_accord, continued (${i + 1} of ${bodies.length})_\n\n${b}`));
}

function stamp(context, sha, now) {
  return `commit \`${short(sha)}\` · [run ${context.runId}](${runUrl(context)}) · ${now.toISOString().replace(/\.\d+Z$/, 'Z')}`;
}

function blockedSection(plan) {
  if (!plan.blocked) return '';
  const reasons = (plan.blockedReasons ?? []).map((r) => `> - ${r}`);
  return [
    '> [!CAUTION]',
    '> **Blocked by a guard rail: this plan will not be applied as it stands.**',
    ...(reasons.length > 0 ? ['>', ...reasons] : []),
    '>',
    '> Change the policy, or have someone run the apply workflow by hand with `allow-large-change`',
    '> and a reason (written to the audit log).',
  ].join('\n');
}

/**
 * The plan comment of one environment on a pull request, and its labels. `outcome` says how the
 * steps went: `{ validate, diff, plan }` step outcomes and the plan's exit code. When validation
 * or planning failed, an error comment replaces the plan comment, so no stale plan is left
 * standing, and the plan labels are removed.
 */
async function planComment({ github, context, core }, options) {
  const { environment, read, now = new Date() } = options;
  const issue_number = context.payload.pull_request.number;
  const sha = context.payload.pull_request.head.sha;
  const planText = read('plan.json');
  const failedStep = ['validate', 'diff', 'plan'].find((s) => options.outcome?.[s] === 'failure');
  const exit = String(options.outcome?.planExit ?? '');
  const planned = planText && !failedStep && ['0', '2', '4'].includes(exit);

  let bodies;
  let wanted = new Set();
  if (!planned) {
    const step = failedStep ?? 'plan';
    const log = tail(read(`${step}.err`) ?? '');
    const head = [
      `### accord: the ${step} failed for \`${environment}\``,
      '',
      stamp(context, sha, now),
      '',
      '> [!CAUTION]',
      `> **\`accord ${step}\` failed**: there is no plan for this commit. Fix the error and push again;`,
      '> an earlier plan comment was replaced so that it cannot be mistaken for this commit.',
    ].join('\n');
    bodies = pack(head, log ? [fenced(log)] : []);
  } else {
    const plan = JSON.parse(planText);
    wanted = new Set([plan.changes.length > 0 ? 'accord:changes' : 'accord:no-changes']);
    if (plan.summary?.peopleDeprovisioned > 0) wanted.add('accord:deprovision');
    if (plan.blocked) wanted.add('accord:blocked');
    const status = plan.blocked
      ? '⛔ blocked'
      : plan.changes.length > 0
        ? `${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`
        : 'no changes';
    const head = [
      `### accord plan for \`${environment}\`: ${status}`,
      '',
      stamp(context, sha, now),
      ...(plan.blocked ? ['', blockedSection(plan)] : []),
    ].join('\n');
    // Summary first: the plan (heading, banners, summary table, changes), then the policy diff.
    bodies = pack(head, [...parts(read('plan.md')), ...parts(read('diff.md'))]);
  }
  await upsertComments(github, context, issue_number, 'plan', environment, bodies);

  const current = (
    await github.paginate(github.rest.issues.listLabelsOnIssue, { ...context.repo, issue_number })
  ).map((l) => l.name);
  for (const name of PLAN_LABELS)
    if (current.includes(name) && !wanted.has(name))
      await github.rest.issues.removeLabel({ ...context.repo, issue_number, name });
  const add = [...wanted].filter((l) => !current.includes(l));
  if (add.length > 0) await github.rest.issues.addLabels({ ...context.repo, issue_number, labels: add });
  core?.info?.(
    `accord: ${bodies.length} comment(s) for ${environment}; labels ${[...wanted].join(', ') || 'none'}`,
  );
  return { bodies, labels: [...wanted] };
}

/**
 * The pull request merged as `sha` and its reviewed plan artifact (`accord-plan-<env>-pr<N>-<head
 * sha>`), uploaded by a pull_request run of that same head commit from the pull request's own
 * repository. Returns `{ found: false, reason }` when there is none: the caller re-plans for the
 * log and fails.
 */
async function findReviewedPlan({ github, context }, { sha, environment }) {
  const { data: pulls } = await github.rest.repos.listPullRequestsAssociatedWithCommit({
    ...context.repo,
    commit_sha: sha,
  });
  const merged = pulls.filter((p) => p.merged_at);
  const pr = merged.find((p) => p.merge_commit_sha === sha) ?? merged[0];
  if (!pr) return { found: false, reason: `commit ${short(sha)} is not the merge of a pull request` };
  const name = `accord-plan-${environment}-pr${pr.number}-${pr.head.sha}`;
  const { data } = await github.rest.actions.listArtifactsForRepo({ ...context.repo, name, per_page: 100 });
  const candidates = (data.artifacts ?? [])
    .filter((a) => a.name === name && !a.expired)
    // Anyone's pull_request run can upload an artifact of any name: only a run of this very head
    // commit, from the pull request's own head repository, counts.
    .filter(
      (a) =>
        a.workflow_run?.head_sha === pr.head.sha && a.workflow_run?.head_repository_id === pr.head.repo?.id,
    )
    .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  const artifact = candidates[0];
  const base = { pr: pr.number, headSha: pr.head.sha, name };
  if (!artifact)
    return {
      ...base,
      found: false,
      reason:
        `no reviewed plan for pull request #${pr.number} at its head commit ${short(pr.head.sha)}: ` +
        'the plan job failed, was still running at merge, planned an earlier commit only, or its artifact expired',
    };
  return { ...base, found: true, runId: artifact.workflow_run.id, artifactId: artifact.id };
}

/** After apply: one comment per environment on the merged pull request, updated on a re-run. */
async function applyComment({ github, context }, options) {
  const { pr, environment, outcome, reason, read, now = new Date() } = options;
  if (!pr) return undefined;
  const sha = context.sha;
  const log = tail(read('apply.log') ?? '', 200, 60000);
  const title =
    outcome === 'success'
      ? '✅ applied'
      : outcome === 'not-applied'
        ? '⛔ not applied'
        : '❌ apply failed (state of what did apply was saved)';
  const head = [
    `### accord apply to \`${environment}\`: ${title}`,
    '',
    stamp(context, sha, now),
    ...(reason ? ['', `> [!CAUTION]`, `> ${reason}`] : []),
  ].join('\n');
  const bodies = pack(head, log ? [fenced(log)] : []);
  await upsertComments(github, context, Number(pr), 'apply', environment, bodies);
  return bodies;
}

/**
 * The reconcile issue (UC-26): ONE open issue per environment, labelled accord:reconcile and
 * found by the environment's marker, says what waits for a person. It is opened or updated when
 * the scheduled run found drift (exit 2), only lifecycle or pending work that nobody applied
 * (3: report mode), was blocked (4: guard rails, blocking findings, or policy no merge applied) or
 * failed (1); a clean or healed run (0) closes it with a comment.
 */
const RECONCILE_TITLE = {
  1: 'the scheduled reconcile failed',
  2: 'live access drifted from the policy',
  3: 'access changes wait to be applied',
  4: 'the scheduled reconcile is blocked',
};

async function reconcileIssue({ github, context }, { exitCode, environment, read }) {
  const label = 'accord:reconcile';
  const marker = `<!-- accord-reconcile-issue:${environment} -->`;
  const url = runUrl(context);
  const code = String(exitCode);
  const open = await github.paginate(github.rest.issues.listForRepo, {
    ...context.repo,
    state: 'open',
    labels: label,
  });
  const issue = open.find((i) => !i.pull_request && (i.body ?? '').includes(marker));
  if (code in RECONCILE_TITLE) {
    const report =
      read('reconcile.md') ??
      `The run ended with exit code ${code} before it wrote a report: see [the run](${url}).`;
    let body = `${marker}\n${report}\n\n_Last checked by [this run](${url})._\n`;
    if (body.length > GITHUB_LIMIT - 500)
      body = `${body.slice(0, GITHUB_LIMIT - 1000)}\n\n_Truncated: see [the run](${url})._\n`;
    const title = `accord (${environment}): ${RECONCILE_TITLE[code]}`;
    if (issue) await github.rest.issues.update({ ...context.repo, issue_number: issue.number, title, body });
    else await github.rest.issues.create({ ...context.repo, title, body, labels: [label] });
    return 'open';
  }
  if (issue) {
    await github.rest.issues.createComment({
      ...context.repo,
      issue_number: issue.number,
      body: `Clean again ([run](${url})): live access is what the applied policy and the directories call for. Closing.`,
    });
    await github.rest.issues.update({
      ...context.repo,
      issue_number: issue.number,
      state: 'closed',
      state_reason: 'completed',
    });
    return 'closed';
  }
  return 'none';
}

module.exports = { planComment, findReviewedPlan, applyComment, reconcileIssue, pack, parts, GITHUB_LIMIT };
