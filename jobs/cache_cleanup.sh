#!/bin/sh
# The monthly cache cleanup (the old crontab's `rm -rf ./cache/hist/*`) as a script task:
# deletes the files under $CACHE_DIR older than $1 days, then the empty folders, and reports
# how many went. Declared in config/tasks.yaml as `cache_cleanup_sh`.
set -eu
days="$1"
dir="${CACHE_DIR:-.data/cache}"
if [ ! -d "$dir" ]; then
  echo "$dir does not exist: nothing to clean"
  echo '::qtask:: {"result": {"deleted": 0}}'
  exit 0
fi
echo '::qtask:: {"progress": 10, "message": "listing"}'
count=$(find "$dir" -type f -mtime +"$days" | wc -l | tr -d ' ')
find "$dir" -type f -mtime +"$days" -delete
find "$dir" -mindepth 1 -type d -empty -delete
echo "deleted $count files older than $days days from $dir"
echo "::qtask:: {\"result\": {\"deleted\": $count, \"older_than_days\": $days}}"
