#!/usr/bin/env bash
# Search benchmark of Causerie, written up in docs/benchmarks.md ("Search").
#
#   bash docs/bench/search.sh                         # 200,000 posts, SQLite
#   POSTS=1000000 TOPICS=50000 USERS=10000 bash docs/bench/search.sh
#
# It:
#   1. builds causerie;
#   2. seeds an empty forum on SQLite in a temporary folder (causerie seed
#      --users USERS --topics TOPICS --posts POSTS);
#   3. times `causerie reindex`: posts per second, and the index's size on
#      disk (du of data/search.bleve);
#   4. starts causerie serve (CAUSERIE_LOG_LEVEL=warn) on that forum, and
#      runs docs/bench/search (1,000 mixed queries on GET /api/v1/search by
#      one client, then by 16 at once; latency percentiles, queries per
#      second, the server's resident memory while it served them);
#   5. prints the server's peak RSS (VmHWM) and the CPU time the rest of
#      the machine used during the query runs (a busy neighbour makes the
#      latencies high).
# Everything it starts is stopped and its folder removed when it ends.
#
# Needs: go, gcc (cgo SQLite), curl, du, Linux /proc.
# Knobs: USERS (2000), TOPICS (10000), POSTS (200000), PORT (18095), KEEP
# (a folder: keep the seeded forum and its index there instead), CACHE
# (off: every query is computed, the default since the mix repeats its
# ~400 distinct queries and would mostly measure the answer cache; on:
# the server keeps recent answers, as in production), REINDEX (no: with
# KEEP, search the index the folder already holds instead of rebuilding
# it; a forum already seeded there is never seeded again). The server's
# own environment passes through (CAUSERIE_SEARCH_PARALLEL=off: every
# search walked on one core, to compare).
set -euo pipefail

cd "$(dirname "$0")/../.."

USERS=${USERS:-2000}
TOPICS=${TOPICS:-10000}
POSTS=${POSTS:-200000}
PORT=${PORT:-18095}
CACHE=${CACHE:-off}
REINDEX=${REINDEX:-yes}

work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
server_pid=""
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hz=$(getconf CLK_TCK)
cpu_all() { awk -v hz="$hz" '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8)/hz}' /proc/stat; }
cpu_of() { awk -v hz="$hz" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat"; }

echo "== build ($(git rev-parse --short HEAD))"
go build -o "$work/causerie" ./cmd/causerie
go build -o "$work/searchbench" ./docs/bench/search
export CAUSERIE_DATA_DIR="$work/data" CAUSERIE_LOG_LEVEL=warn
if [ ! -e "$work/data/causerie.db" ]; then
	echo "== seed: $USERS members, $TOPICS topics, $POSTS posts"
	# --index=false: the timed reindex below is the only build (seed would
	# otherwise build the index itself first, and reindex build it again).
	"$work/causerie" seed --users "$USERS" --topics "$TOPICS" --posts "$POSTS" --index=false 2>/dev/null
fi

if [ "$REINDEX" = no ] && [ -e "$work/data/search.bleve" ]; then
	echo "== reindex skipped (REINDEX=no): the index KEEP holds"
else
	echo "== reindex"
	/usr/bin/time -f "reindex: %e s wall, %U s user, %S s system, peak RSS %M KiB" \
		"$work/causerie" reindex 2>&1 >"$work/reindex.out" | grep -v 'indexing' || true
	cat "$work/reindex.out"
fi
echo "index on disk: $(du -sh "$work/data/search.bleve" | cut -f1)"

echo "== queries"
echo "answer cache: $CACHE"
CAUSERIE_SEARCH_CACHE=$CACHE CAUSERIE_SERVER_LISTEN="127.0.0.1:$PORT" CAUSERIE_SERVER_BASE_URL="http://127.0.0.1:$PORT" \
	"$work/causerie" serve >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
	curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
	sleep 0.1
done
rss0=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
echo "server RSS after start: $((rss0 / 1024)) MiB"
all0=$(cpu_all)
srv0=$(cpu_of "$server_pid")
"$work/searchbench" -base "http://127.0.0.1:$PORT" -pid "$server_pid"
all1=$(cpu_all)
srv1=$(cpu_of "$server_pid")
awk -v a0="$all0" -v a1="$all1" -v s0="$srv0" -v s1="$srv1" \
	'BEGIN {printf "CPU during the query runs: server %.1f s, everything else %.1f s\n", s1-s0, (a1-a0)-(s1-s0)}'
