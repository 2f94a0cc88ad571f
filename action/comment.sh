#!/usr/bin/env bash
# Post the review as one sticky pull-request comment: update the comment that starts with the
# review's marker, or create it.
# Env: BODY (file), PR (number), REPOSITORY, SCRIPTS (this folder), GH_TOKEN.
set -euo pipefail
marker="<!-- raci-tracker-review -->"
host="${GITHUB_SERVER_URL:-https://github.com}"
link="${host}/${REPOSITORY}/actions/runs/${GITHUB_RUN_ID:-}"  # the job summary holds it whole (to 1 MiB)
trimmed=$(mktemp)
python "$SCRIPTS/trim_body.py" "$BODY" "$link" "$trimmed"
id=$(gh api --paginate "repos/${REPOSITORY}/issues/${PR}/comments" \
  --jq "map(select(.body | startswith(\"${marker}\"))) | .[0].id // empty" | sed -n 1p)
if [ -n "$id" ]; then
  gh api --method PATCH "repos/${REPOSITORY}/issues/comments/${id}" -F "body=@${trimmed}" > /dev/null
else
  gh api --method POST "repos/${REPOSITORY}/issues/${PR}/comments" -F "body=@${trimmed}" > /dev/null
fi
