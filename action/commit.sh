#!/usr/bin/env bash
# Commit what a tracking run changed, with a message naming what moved.
# Env: PATHS (space-separated folders to commit), LAST_RUN (last-run.json), SCRIPTS (this folder).
set -euo pipefail
git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
read -r -a paths <<< "$PATHS"
git add -- "${paths[@]}"
if git diff --cached --quiet; then
  echo "committed=false" >> "$GITHUB_OUTPUT"
  exit 0
fi
# last-run.json tells what moved only when this run wrote it (a heartbeat alone does not)
if git diff --cached --quiet -- "$LAST_RUN"; then
  LAST_RUN=/nonexistent/last-run.json
fi
git commit --quiet -m "$(python "$SCRIPTS/commit_message.py" "$LAST_RUN")"
echo "committed=true" >> "$GITHUB_OUTPUT"
