#!/usr/bin/env bash
# Open the shifts issue, or comment on the open one, when the run's `shifts` output is not zero,
# whatever its exit status (a run with a failed page can still take in shifts).
# It runs before the commit and push (the shifts are recorded as alerted only once it succeeded),
# so a trimmed body links to the report on the branch, where the push puts it.
# Env: SHIFTS, REPORT (last-run.md), REPOSITORY, BRANCH, SCRIPTS (this folder), GH_TOKEN,
# TITLE (optional).
set -euo pipefail
if [ "${SHIFTS:-0}" = "0" ]; then
  exit 0
fi
host="${GITHUB_SERVER_URL:-https://github.com}"
where=$(python -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' \
  "${BRANCH:-$(git rev-parse --abbrev-ref HEAD)}/${REPORT}")
link="${host}/${REPOSITORY}/blob/${where}"
body=$(mktemp)
python "$SCRIPTS/trim_body.py" "$REPORT" "$link" "$body"
title="${TITLE:-RACI responsibility shifts}"
number=$(gh issue list --state open --search "\"$title\" in:title" --json number --jq '.[0].number // empty')
if [ -n "$number" ]; then
  gh issue comment "$number" --body-file "$body"
else
  gh issue create --title "$title" --body-file "$body"
fi
