#!/usr/bin/env bash
# accord's state/ lives on its own branch (accord-state), never on the default branch: the default
# branch is protected, and a push refused after the platforms changed would lose the state.
#
#   state-branch.sh read    replace state/ with the branch's copy (none yet: keep this commit's)
#   state-branch.sh write   commit state/ onto the branch, creating it on first use
#
# The branch holds only state/. The working tree's branch and index are never touched, and the
# token (GITHUB_TOKEN, when set) is handed to git through the environment for these commands only:
# checkout runs with persist-credentials: false, so accord and policy code never see it.
set -euo pipefail

branch="${ACCORD_STATE_BRANCH:-accord-state}"
dir="${ACCORD_STATE_DIR:-state}"
remote="${ACCORD_STATE_REMOTE:-origin}"

if [ -n "${GITHUB_TOKEN:-}" ]; then
  credential="$(printf 'x-access-token:%s' "$GITHUB_TOKEN" | base64 | tr -d '\n')"
  if [ "${GITHUB_ACTIONS:-}" = true ]; then echo "::add-mask::${credential}"; fi
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraheader
  export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic ${credential}"
fi

# 0 and the tip fetched into FETCH_HEAD, or 2 when the branch does not exist yet.
fetch_tip() {
  local code=0
  git ls-remote --exit-code --heads "$remote" "$branch" > /dev/null || code=$?
  if [ "$code" -eq 0 ]; then
    # Explicit: set -e does not apply inside a function called as an `if` condition.
    git fetch --quiet --no-tags --depth=1 "$remote" "refs/heads/${branch}" || {
      echo "error: cannot fetch branch ${branch} from ${remote}" >&2
      exit 1
    }
  elif [ "$code" -ne 2 ]; then
    echo "error: cannot read branch ${branch} from ${remote} (git exit ${code})" >&2
    exit "$code"
  fi
  return "$code"
}

read_state() {
  if fetch_tip; then
    rm -rf "$dir"
    git archive FETCH_HEAD -- "$dir" | tar -x
    echo "${dir}/ read from ${branch} at $(git rev-parse --short=12 FETCH_HEAD)"
  else
    echo "no ${branch} branch yet: using the ${dir}/ of this commit (the first apply creates the branch)"
  fi
}

write_state() {
  local message="${1:-accord: state after applying $(git rev-parse --short=12 "${GITHUB_SHA:-HEAD}")}"
  local index attempt parent tree commit
  export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-github-actions[bot]}"
  export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}"
  export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
  index="$(mktemp)"
  # Applies never overlap (one concurrency group), so a refused push only means the branch moved
  # under us by hand: rebuild on its new tip. State locks are not state.
  for attempt in 1 2 3; do
    parent=()
    if fetch_tip; then parent=(-p "$(git rev-parse FETCH_HEAD)"); fi
    rm -f "$index"
    # Locks are not state; the snapshot cache holds people's profiles and is rebuilt by a full read.
    GIT_INDEX_FILE="$index" git add --force --all -- "$dir" ":(exclude)${dir}/*.lock" ":(exclude)${dir}/*.snapshot-cache.json"
    tree="$(GIT_INDEX_FILE="$index" git write-tree)"
    if [ "${#parent[@]}" -gt 0 ] && [ "$tree" = "$(git rev-parse 'FETCH_HEAD^{tree}')" ]; then
      echo "${dir}/ unchanged on ${branch}"
      rm -f "$index"
      return 0
    fi
    commit="$(git commit-tree "$tree" "${parent[@]}" -m "$message")"
    if git push --quiet "$remote" "${commit}:refs/heads/${branch}"; then
      echo "${dir}/ committed to ${branch} as $(git rev-parse --short=12 "$commit")"
      rm -f "$index"
      return 0
    fi
    sleep $((attempt * 5))
  done
  rm -f "$index"
  echo "error: could not push ${dir}/ to ${branch}" >&2
  return 1
}

case "${1:-}" in
  read) read_state ;;
  write) write_state "${2:-}" ;;
  *)
    echo "usage: $0 read|write [message]" >&2
    exit 64
    ;;
esac
