#!/usr/bin/env bash
# Push the tracking commit; when someone pushed meanwhile, rebase on it and try again.
# Env: GH_TOKEN, REPOSITORY (owner/name), BRANCH.
set -euo pipefail
host="${GITHUB_SERVER_URL:-https://github.com}"
remote="https://x-access-token:${GH_TOKEN}@${host#https://}/${REPOSITORY}.git"
for attempt in 1 2 3 4; do
  if git push --quiet "$remote" "HEAD:refs/heads/$BRANCH"; then
    exit 0
  fi
  git pull --quiet --rebase "$remote" "$BRANCH"
  sleep "$attempt"
done
echo "::error::could not push after 4 attempts" >&2
exit 1
