#!/usr/bin/env bash
# A noisy, deterministic deployment step in Bash, for trying logtrim.
#
#   bash samples/deploy.sh                      # about 20,000 lines, exit 0
#   FAIL=1 bash samples/deploy.sh               # ends with an error block on stderr, exit 3
#   logtrim run -- bash samples/deploy.sh --lines 5000 --fail
#
# Options (flags or environment variables):
#   --lines N   / DEPLOY_LINES=N   about how many lines to print (default 20000)
#   --fail      / FAIL=1           fail at the end with exit code 3
#   --seed N    / SEED=N           random seed (default 42); same seed, same output
# The database password in the connection line comes from DEPLOY_DB_PASSWORD
# (default s3cr3t-Pa55w0rd), so masking can be tried with --mask-env DEPLOY_DB_PASSWORD.
set -euo pipefail

lines=${DEPLOY_LINES:-20000}
fail=${FAIL:-0}
seed=${SEED:-42}
while [ $# -gt 0 ]; do
  case "$1" in
    --lines) lines=$2; shift 2 ;;
    --fail) fail=1; shift ;;
    --seed) seed=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "deploy.sh: unknown option: $1" >&2; exit 2 ;;
  esac
done
case "$fail" in "" | 0 | false | no) fail=0 ;; *) fail=1 ;; esac
RANDOM=$seed

app=billing-worker
version=2.7.1
password=${DEPLOY_DB_PASSWORD:-s3cr3t-Pa55w0rd}
dirs=(bin lib/jvm conf conf/env.d static/js static/css templates sql/migrations plugins)
words=(ledger invoice payment refund tax currency report export batch audit statement)
exts=(.jar .class .yml .properties .js .css .html .sql .so)

# A simulated clock: deterministic timestamps from 09:21:07, in variable $ts.
ms=0
stamp() {
  ms=$((ms + RANDOM % 40 + 1))
  local t=$((21 * 60 + 7 + ms / 1000))
  printf -v ts '2025-03-14T%02d:%02d:%02d.%03dZ' $((9 + t / 3600)) $((t / 60 % 60)) $((t % 60)) $((ms % 1000))
}
info() { stamp; printf '%s INFO  %s\n' "$ts" "$*"; }
debug() { stamp; printf '%s DEBUG %s\n' "$ts" "$*"; }
# shellcheck disable=SC2086 # numbers only
sha() { printf -v sha '%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x%04x' \
  $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM \
  $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM; }

echo "========================================================================"
echo "  Deploying $app $version to Production"
echo "  Target: batch-prod-02.internal (linux-x64)  Release: 2025.03.14.7"
echo "========================================================================"
info "bash $BASH_VERSION, working directory $PWD"
info "Connecting to database postgres://deploy:$password@db-01.internal:5432/billing"

files=$((lines * 94 / 200))
every=$((files / 5 > 40 ? files / 5 : 40))
warnings=(
  "WARNING: conf/application-prod.yml sets logging.level.root=DEBUG in production"
  "WARNING: JVM option -XX:+UseConcMarkSweepGC is deprecated and will be removed"
  "WARNING: certificate CN=billing.internal expires in 21 days (2025-04-04)"
  "WARNING: /var/lib/billing has 9% free space (3.1 GB)"
  "WARNING: health check /actuator/health took 2,310 ms (threshold 2,000 ms)"
)
info "Extracting $app-$version.tar.gz to /opt/$app/releases/$version"
for ((i = 1; i <= files; i++)); do
  path="${dirs[RANDOM % ${#dirs[@]}]}/${words[RANDOM % ${#words[@]}]}-${words[RANDOM % ${#words[@]}]}${exts[RANDOM % ${#exts[@]}]}"
  debug "copy $path -> /opt/$app/current/$path ($((RANDOM * 37)) bytes, $((RANDOM % 90)) ms)"
  sha
  debug "  sha256 $sha  $path"
  if ((i % 500 == 0)); then info "Copied $i of $files files"; fi
  if ((i % every == every / 2)); then echo "${warnings[(i / every) % ${#warnings[@]}]}"; fi
done
info "Copied $files files"

chunks=$((lines / 20 > 20 ? lines / 20 : 20))
info "Uploading package to artifacts.internal ($chunks chunks)"
last=-1
for ((i = 1; i <= chunks; i++)); do
  printf -v chunk 'chunk-%04d' "$i"
  if ((i == chunks / 3)); then # one transient error, retried: the step still succeeds
    stamp
    echo "$ts ERROR upload of $chunk failed: curl: (56) Recv failure: Connection reset by peer; retrying (1/3)"
    debug "PUT /packages/$app/$version/$chunk 200 OK in 611 ms (retry 1)"
  else
    debug "PUT /packages/$app/$version/$chunk 200 OK in $((RANDOM % 470 + 12)) ms"
  fi
  pct=$((i * 100 / chunks))
  if ((pct != last && pct % 5 == 0)); then last=$pct; echo "Uploading package $pct%"; fi
done
info "Upload complete"

steps=40
info "Running $steps database migrations"
for ((i = 1; i <= steps; i++)); do
  echo "[$i/$steps] Applying migration V$((100 + i))__${words[RANDOM % ${#words[@]}]}_${words[RANDOM % ${#words[@]}]}.sql"
  for ((j = 0; j < RANDOM % 5 + 2; j++)); do
    debug "  SQL ALTER TABLE ${words[RANDOM % ${#words[@]}]}s ... $((RANDOM % 900 + 1)) ms"
  done
done
info "Migrations applied"

drain=$((lines / 150 > 5 ? lines / 150 : 5))
for node in batch-prod-01 batch-prod-02; do
  info "Stopping consumers on $node"
  for ((left = drain; left > 0; left--)); do
    echo "Waiting for in-flight jobs to finish on $node (running: $left)"
  done
  info "Restarting $app on $node"
  info "$node is healthy"
done

if [ "$fail" = 1 ]; then
  info "Running smoke tests against https://billing.internal"
  debug "GET /actuator/health -> 200"
  stamp
  echo "$ts ERROR Smoke test failed: POST /api/invoices returned 500" >&2
  echo "ERROR:   response: {\"error\":\"column \\\"tax_region\\\" does not exist\"}" >&2
  echo "ERROR:   migration V121__tax_region.sql was applied on db-01 but not on db-02" >&2
  echo "ERROR:   connection: postgres://deploy:$password@db-02.internal:5432/billing" >&2
  echo "deploy.sh: line $LINENO: smoke tests failed, rolling back $app to 2.7.0" >&2
  exit 3
fi
info "Deployment of $app $version to Production succeeded"
