#!/usr/bin/env bash
# Compare builds of causerie on the logged-in topic page, written up in
# docs/benchmarks.md ("Logged-in topic page, session 7").
#
#   bash docs/bench/member-ab.sh prepare FORUM             # seed a forum once
#   ROUNDS=2 bash docs/bench/member-ab.sh run FORUM BIN... # measure builds
#
# prepare: builds causerie from this checkout into FORUM/causerie, seeds
# FORUM/data (causerie seed --users 2000 --topics 10000 --posts 200000,
# search index included), adds the member "benchmember" (trust level 4,
# locked) and writes FORUM/topics.lua, every topic's canonical address for
# docs/bench/paths.lua, as discussions.sh does.
#
# run: for each round, each binary in turn (alternating, so a busy
# neighbour weighs on all alike) on a fresh copy of FORUM/data: starts
# `BIN serve` on PORT, waits until it is idle (its start-up jobs done), logs
# benchmember in, runs wrk for WARMUP unmeasured then DURATION measured
# (-t2 -c64, a random topic per request, gzip), and prints requests/s, p99
# and the server's CPU per request (utime+stime over the measured run /
# requests), which depends less on the neighbours than requests/s. A copy
# per run: the member's first visit of a topic writes a read mark, so a
# second run on the same data would measure revisits.
#
# Needs: go, wrk, curl, sqlite3, Linux /proc. Knobs: PORT (18377), ROUNDS
# (1), WARMUP (3s), DURATION (15s), PROFILES (a folder: each measured run
# also writes a CPU profile there, <binary>-<round>.pprof, taken through
# [server] pprof_listen on PORT+1; read it with go tool pprof BIN FILE),
# VISITORS (0s: first, this long of visitors reading random topics, as
# discussions.sh's visitor runs do before its logged-in ones, so that what
# every reader sees alike is kept as it is there).
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${PORT:-18377}
ROUNDS=${ROUNDS:-1}
WARMUP=${WARMUP:-3s}
DURATION=${DURATION:-15s}
PASSWORD='bench password 12345'
usage() { echo "usage: $0 prepare FORUM | $0 run FORUM BIN..." >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 forum=$2
shift 2

case $cmd in
prepare)
	mkdir -p "$forum"
	forum=$(cd "$forum" && pwd)
	go build -o "$forum/causerie" ./cmd/causerie
	export CAUSERIE_DATA_DIR="$forum/data"
	(cd "$forum" && ./causerie seed --users 2000 --topics 10000 --posts 200000)
	(cd "$forum" && printf '%s' "$PASSWORD" |
		./causerie user create --username benchmember --email benchmember@example.com --role member --password-stdin >/dev/null)
	sqlite3 "$forum/data/causerie.db" "UPDATE users SET trust_level = 4, trust_locked = true WHERE username = 'benchmember'"
	sqlite3 "$forum/data/causerie.db" "SELECT id, slug FROM topics ORDER BY id" |
		awk -F'|' 'BEGIN {print "return {"} {printf "\"/t/%s/%d\",\n", $2, $1} END {print "}"}' >"$forum/topics.lua"
	sqlite3 "$forum/data/causerie.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	echo "forum ready in $forum"
	;;
run)
	[ $# -ge 1 ] || usage
	forum=$(cd "$forum" && pwd)
	[ -f "$forum/topics.lua" ] || { echo "$0: $forum is not prepared (run: $0 prepare $forum)" >&2; exit 1; }
	work=$(mktemp -d)
	pid=""
	trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
	hz=$(getconf CLK_TCK)
	cpu() { awk -v hz="$hz" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat"; }
	for round in $(seq 1 "$ROUNDS"); do
		for bin in "$@"; do
			rm -rf "$work/data" && cp -r "$forum/data" "$work/data"
			pprof=""
			[ -n "${PROFILES:-}" ] && pprof="127.0.0.1:$((PORT + 1))"
			(cd "$work" && CAUSERIE_DATA_DIR="$work/data" CAUSERIE_SERVER_LISTEN="127.0.0.1:$PORT" CAUSERIE_LOG_LEVEL=warn \
				CAUSERIE_SERVER_PPROF_LISTEN="$pprof" exec "$bin" serve >"$work/serve.log" 2>&1) &
			pid=$!
			for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
			for _ in $(seq 1 60); do # idle: under 0.1 s of CPU in 2 s
				a=$(cpu "$pid")
				sleep 2
				awk -v a="$a" -v b="$(cpu "$pid")" 'BEGIN {exit !(b-a < 0.1)}' && break
			done
			jar="$work/jar"
			rm -f "$jar"
			curl -s -o /dev/null -c "$jar" "http://127.0.0.1:$PORT/login"
			csrf=$(awk '$6 == "_csrf" {print $7}' "$jar")
			curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "_csrf=$csrf" \
				--data-urlencode "login=benchmember" --data-urlencode "password=$PASSWORD" "http://127.0.0.1:$PORT/login"
			session=$(awk '$6 == "causerie_session" {print $7}' "$jar")
			[ -n "$session" ] || { echo "$0: benchmember could not log in with $bin" >&2; exit 1; }
			if [ "${VISITORS:-0s}" != 0s ]; then
				wrk -t2 -c64 -d"$VISITORS" -s docs/bench/paths.lua -H "Accept-Encoding: gzip" "http://127.0.0.1:$PORT" -- "$forum/topics.lua" >/dev/null
			fi
			opts=(-s docs/bench/paths.lua -H "Cookie: causerie_session=$session" -H "Accept-Encoding: gzip" "http://127.0.0.1:$PORT" -- "$forum/topics.lua")
			wrk -t2 -c64 -d"$WARMUP" "${opts[@]}" >/dev/null
			s0=$(cpu "$pid")
			prof=""
			if [ -n "$pprof" ]; then
				mkdir -p "$PROFILES"
				curl -s -o "$PROFILES/$(basename "$bin")-$round.pprof" \
					"http://$pprof/debug/pprof/profile?seconds=$(( ${DURATION%s} - 1 ))" &
				prof=$!
			fi
			out=$(wrk -t2 -c64 -d"$DURATION" --latency "${opts[@]}")
			s1=$(cpu "$pid")
			[ -z "$prof" ] || wait "$prof"
			n=$(awk '/ requests in / {print $1}' <<<"$out")
			printf '%s (round %d): %s requests/s, p99 %s, %s µs of server CPU per request, non-2xx %s, load %s\n' \
				"$bin" "$round" "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
				"$(awk -v a="$s0" -v b="$s1" -v n="$n" 'BEGIN {printf "%.0f", (b-a)*1e6/n}')" \
				"$(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)" "$(cut -d' ' -f1 /proc/loadavg)"
			kill "$pid"
			wait "$pid" 2>/dev/null || true
			pid=""
		done
	done
	;;
*) usage ;;
esac
