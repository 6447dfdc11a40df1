#!/usr/bin/env bash
# Where the server's memory goes under load, written up in
# docs/benchmarks.md ("Memory, session 11").
#
#   bash docs/bench/member-ab.sh prepare FORUM        # seed a forum once
#   VISITORS=30s MEMBER=30s bash docs/bench/memory.sh FORUM BIN [LABEL]
#
# On a fresh copy of FORUM/data (prepared by member-ab.sh: 200,000 posts,
# the member "benchmember"), starts `BIN serve` on PORT, waits until it is
# idle, then runs, one after the other: VISITORS of visitors reading
# random topics, MEMBER of benchmember reading random topics (logged in),
# and DURATION of replies posted through the API with a token of
# benchmember's (docs/bench/api_post.lua), as discussions.sh's runs do.
# It prints the RSS after each run and, sampled every 0.25 s during the
# posting run, its highest sample and the peak (VmHWM), each split by what
# backs it (from /proc/<pid>/smaps: anonymous memory, the search index's
# segment files, the binary, other files) and with the Go runtime's part
# from /metrics (what it holds less what it gave back, split into the
# heap in use, heap free but not given back, stacks and its own data);
# anonymous less Go's is SQLite's and the C library's. It also prints the
# posts per second and the server's CPU per post.
#
# Knobs: PORT (17390; PORT+1 serves Go's profiles when HEAP is set), VISITORS (0s), MEMBER
# (0s), DURATION (15s), EXTRA_ENV (variables for the server, such as
# "GOMEMLIMIT=64MiB MALLOC_ARENA_MAX=2"), HEAP (a path: heap profiles
# after the member run, HEAP.member, and 8 s into posting, HEAP; read them
# with go tool pprof BIN FILE).
#
# Needs: wrk, curl, Linux /proc.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 FORUM BIN [LABEL]" >&2; exit 2; }
forum=$(cd "$1" && pwd)
bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$(dirname "$0")/../.."
label=${3:-$(basename "$bin")}
PORT=${PORT:-17390}
[ -f "$forum/topics.lua" ] || { echo "$0: $forum is not prepared (run: bash docs/bench/member-ab.sh prepare $forum)" >&2; exit 1; }
work=$(mktemp -d)
pid="" watcher=""
# The server is waited for: the next run may take its port at once.
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; [ -n "$watcher" ] && kill "$watcher" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$forum/data" "$work/data"
token=$(cd "$work" && CAUSERIE_DATA_DIR="$work/data" "$bin" token create --user benchmember --name bench | grep -Eo '[A-Za-z0-9_-]{20,}' | tail -n1)
# shellcheck disable=SC2086 # EXTRA_ENV is a list of variables
# Profiles are served only when HEAP asks for them: with a listener the
# server samples its allocations (cmd/causerie), which costs memory.
pprof=""
[ -z "${HEAP:-}" ] || pprof="127.0.0.1:$((PORT + 1))"
(cd "$work" && CAUSERIE_DATA_DIR="$work/data" CAUSERIE_SERVER_LISTEN="127.0.0.1:$PORT" CAUSERIE_LOG_LEVEL=warn \
	CAUSERIE_SERVER_PPROF_LISTEN="$pprof" exec env ${EXTRA_ENV:-} "$bin" serve >"$work/serve.log" 2>&1) &
pid=$!
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
hz=$(getconf CLK_TCK)
cpu() { awk -v hz="$hz" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat"; }
for _ in $(seq 1 60); do # idle: under 0.1 s of CPU in 2 s
	a=$(cpu "$pid")
	sleep 2
	awk -v a="$a" -v b="$(cpu "$pid")" 'BEGIN {exit !(b-a < 0.1)}' && break
done
rss() { awk '/^VmRSS:/ {printf "%.1f MiB", $2/1024}' "/proc/$pid/status"; }
split() {
	awk -v exe="$(readlink "/proc/$pid/exe")" '
		/^[0-9a-f]+-[0-9a-f]+ / {f = (NF >= 6) ? $6 : ""; next}
		/^Rss:/ {if (f ~ /\.zap$/) z += $2; else if (f == exe) b += $2; else if (f == "" || f ~ /^\[(heap|stack)/) a += $2; else o += $2}
		END {printf "anonymous %.1f, index files %.1f, binary %.1f, other files %.1f", a/1024, z/1024, b/1024, o/1024}' "/proc/$pid/smaps"
}
gomem() {
	curl -s --max-time 2 "http://127.0.0.1:$PORT/metrics" | awk '
		/^go_memstats_sys_bytes / {s = $2} /^go_memstats_heap_released_bytes / {r = $2}
		/^go_memstats_heap_inuse_bytes / {u = $2} /^go_memstats_heap_idle_bytes / {i = $2}
		/^go_memstats_stack_sys_bytes / {st = $2}
		END {m = 1048576; printf "Go %.1f (heap in use %.1f, free not given back %.1f, stacks %.1f, the rest %.1f)", (s-r)/m, u/m, (i-r)/m, st/m, (s-r-u-(i-r)-st)/m}'
}
say() { echo "$label $1: $(rss): $(split), $(gomem)"; }
say idle
readers=(-s docs/bench/paths.lua -H "Accept-Encoding: gzip" "http://127.0.0.1:$PORT" -- "$forum/topics.lua")
if [ "${VISITORS:-0s}" != 0s ]; then
	echo "$label visitors: $(wrk -t2 -c64 -d"$VISITORS" "${readers[@]}" | awk '/^Requests\/sec:/ {print $2}') requests/s"
	say "after visitors"
fi
if [ "${MEMBER:-0s}" != 0s ]; then
	jar="$work/jar"
	curl -s -o /dev/null -c "$jar" "http://127.0.0.1:$PORT/login"
	csrf=$(awk '$6 == "_csrf" {print $7}' "$jar")
	curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "_csrf=$csrf" --data-urlencode "login=benchmember" \
		--data-urlencode "password=bench password 12345" "http://127.0.0.1:$PORT/login"
	session=$(awk '$6 == "causerie_session" {print $7}' "$jar")
	[ -n "$session" ] || { echo "$0: benchmember could not log in" >&2; exit 1; }
	echo "$label member: $(wrk -t2 -c64 -d"$MEMBER" -H "Cookie: causerie_session=$session" "${readers[@]}" | awk '/^Requests\/sec:/ {print $2}') requests/s"
	say "after member"
	[ -z "${HEAP:-}" ] || curl -s -o "$HEAP.member" "http://127.0.0.1:$((PORT + 1))/debug/pprof/heap?gc=1"
fi
(
	max=0
	while r=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) && [ -n "$r" ]; do
		if [ "$r" -gt "$max" ]; then
			max=$r
			say "highest sample" >"$work/peak.new" && mv "$work/peak.new" "$work/peak"
		fi
		sleep 0.25
	done
) &
watcher=$!
[ -z "${HEAP:-}" ] || (sleep 8; curl -s -o "$HEAP" "http://127.0.0.1:$((PORT + 1))/debug/pprof/heap?gc=1") &
s0=$(cpu "$pid")
out=$(wrk -t2 -c64 -d"${DURATION:-15s}" -s docs/bench/api_post.lua -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT" -- 10000)
s1=$(cpu "$pid")
n=$(awk '/ requests in / {print $1}' <<<"$out")
echo "$label posting: $(awk '/^Requests\/sec:/ {print $2}' <<<"$out") posts/s, $(awk -v a="$s0" -v b="$s1" -v n="$n" 'BEGIN {printf "%.0f", (b-a)*1e6/n}') µs of server CPU a post, non-2xx $(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)"
sleep 1
cat "$work/peak"
echo "$label peak (VmHWM): $(awk '/^VmHWM:/ {printf "%.1f MiB", $2/1024}' "/proc/$pid/status")"
