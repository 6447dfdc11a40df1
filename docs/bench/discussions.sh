#!/usr/bin/env bash
# Discussions benchmark of Causerie, written up in docs/benchmarks.md.
#
#   bash docs/bench/discussions.sh                      # SQLite then PostgreSQL
#   DBS=sqlite bash docs/bench/discussions.sh           # one database
#   SEED_ONLY=1 DBS=sqlite USERS=10000 TOPICS=50000 POSTS=1000000 \
#     bash docs/bench/discussions.sh                    # time the seed alone
#
# For each database it:
#   1. builds causerie and the bare Echo yardstick (docs/bench/bare);
#   2. seeds an empty forum (causerie seed --users 2000 --topics 10000
#      --posts 200000 --index=false) and times it: posts per second of the
#      seed; then builds the search index (causerie reindex, what seed does
#      without --index=false) and times that apart, so the server starts
#      with its index ready, as a forum's server restarts;
#   3. creates an administrator (so / is the home page, not /setup) and a
#      member, "benchmember", whose trust level it sets to 4 (locked) with
#      SQL: [antispam] limits the posts a minute of lower levels, and the
#      posting run would only measure that limit; makes an API token;
#   4. lists every topic's canonical address (/t/<slug>/<id>) with SQL into
#      a Lua table for docs/bench/paths.lua, so no measured request is a
#      301 to the canonical slug;
#   5. starts causerie serve (CAUSERIE_LOG_LEVEL=warn) and the bare server,
#      logs the member in with curl (GET /login for the _csrf cookie, POST
#      /login with it) for the session cookie of the logged-in runs;
#   6. runs wrk (THREADS threads, CONNECTIONS connections, a WARMUP run of
#      the same script first, then DURATION measured) on: the bare Echo
#      handler; / and the busiest category's /c/<slug> (visitors); a topic
#      page, anonymous and logged in, of a random topic in 1..TOPICS per
#      request, then of a random topic among those with 20 posts or more
#      (a full first page); GET /api/v1/topics/<random id> with the token;
#      a short unmeasured run that counts status codes and page cache hits
#      (X-Cache); and last, as it changes the data, POST
#      /api/v1/topics/<random id>/posts with the token (posts created per
#      second: the measured run's requests less its non-2xx answers; it
#      also prints the rows added and the background jobs still queued);
#   7. reads the server's peak RSS (VmHWM) from /proc, and says what the
#      RSS is made of idle after start and at the highest of its samples
#      (every 0.5 s, from /proc/<pid>/smaps): anonymous memory (of which
#      the Go runtime's, from /metrics: its heap and stacks; the rest is
#      SQLite's caches and C's), the search index's segment files (Bleve
#      maps them), the binary and other files.
# Before each wrk run it waits until no wrk has run on the machine for
# QUIET seconds (pgrep -x wrk), so two load runs never overlap. wrk and the server share
# the machine's cores: "srv µs/r" and "PG µs/r" are the CPU time the server
# and PostgreSQL spent per request, which does not depend on wrk's share;
# "other s" is the CPU anything else used during the run (a busy neighbour
# makes the figures low).
#
# PostgreSQL: a fresh database with a unique name is created through psql
# on PG_ADMIN_URL and dropped at the end. Everything the script starts is
# stopped and its temporary folder removed when it ends, even on failure or
# Ctrl-C.
#
# Needs: go, gcc (cgo SQLite), wrk, curl, sqlite3, psql, Linux /proc.
# Knobs (environment): DBS ("sqlite postgres"), USERS (2000), TOPICS (10000),
# POSTS (200000), SEED_ONLY (0), PORT (18090), BARE_PORT (18091),
# DURATION (15s), WARMUP (3s), CONNECTIONS (64), THREADS (2), QUIET (8),
# GZIP (1: pages asked with Accept-Encoding: gzip), FILL (30s: the pass that
# fills the visitors' page cache before their topic runs),
# PG_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
set -euo pipefail

cd "$(dirname "$0")/../.."

DBS=${DBS:-sqlite postgres}
USERS=${USERS:-2000}
TOPICS=${TOPICS:-10000}
POSTS=${POSTS:-200000}
SEED_ONLY=${SEED_ONLY:-0}
PORT=${PORT:-18090}
BARE_PORT=${BARE_PORT:-18091}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PASSWORD='bench password 12345'
# Pages are asked for as browsers do, with Accept-Encoding: gzip (GZIP=0:
# without, as wrk does by default); FILL is the unmeasured pass that fills
# the visitors' page cache before their topic runs.
GZIP=${GZIP:-1}
FILL=${FILL:-30s}
gz=()
[ "$GZIP" = 1 ] && gz=(-H "Accept-Encoding: gzip")

need=(go wrk curl sqlite3)
case " $DBS " in *" postgres "*) need+=(psql) ;; esac
for tool in "${need[@]}"; do
	command -v "$tool" >/dev/null || { echo "discussions.sh: $tool is missing" >&2; exit 1; }
done
for p in "$PORT" "$BARE_PORT"; do
	if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
		echo "discussions.sh: port $p is already in use (set PORT / BARE_PORT)" >&2
		exit 1
	fi
done

work=$(mktemp -d)
server_pid=""
bare_pid=""
pg_db=""

stop() { # stop PID: SIGTERM, wait up to 20 s, then SIGKILL
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
drop_pg() {
	[ -n "$pg_db" ] || return 0
	psql "$PG_ADMIN_URL" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null || true
	pg_db=""
}
cleanup() {
	stop "$server_pid"
	stop "$bare_pid"
	drop_pg
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# rss_split PID: the RSS by what backs it, in MiB. Go's part is what the
# runtime holds from the system less what it gave back (go_memstats_sys
# less heap_released), an estimate.
rss_split() {
	local go
	go=$(curl -s --max-time 2 "http://127.0.0.1:$PORT/metrics" |
		awk '/^go_memstats_sys_bytes /{s=$2} /^go_memstats_heap_released_bytes /{r=$2} END{if (s) printf "%.1f", (s-r)/1048576; else print "?"}')
	awk -v exe="$(readlink "/proc/$1/exe")" -v go="$go" '
		/^[0-9a-f]+-[0-9a-f]+ / {f = (NF >= 6) ? $6 : ""; next}
		/^Rss:/ {if (f ~ /\.zap$/) z += $2; else if (f == exe) b += $2; else if (f == "" || f ~ /^\[(heap|stack)/) a += $2; else o += $2}
		END {printf "anonymous %.1f (Go about %s), index files %.1f, binary %.1f, other files %.1f MiB", a/1024, go, z/1024, b/1024, o/1024}' "/proc/$1/smaps"
}
# watch_peak PID FILE: writes to FILE the RSS split of the highest sample
# of PID's RSS, every 0.5 s, until PID ends.
watch_peak() {
	local max=0 r
	while r=$(rss_kb "$1" 2>/dev/null) && [ -n "$r" ]; do
		if [ "$r" -gt "$max" ]; then
			max=$r
			echo "$(mib "$r"): $(rss_split "$1" 2>/dev/null)" >"$2.new" && mv "$2.new" "$2"
		fi
		sleep 0.5
	done
}
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k/1024}'; }
hz=$(getconf CLK_TCK)
cpu_all() { awk -v hz="$hz" '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8)/hz}' /proc/stat; }
cpu_of() { awk -v hz="$hz" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat"; }
# CPU seconds of PostgreSQL (0 on SQLite): every postgres process alive
# now, plus what the ones that ended used (the children's time of the
# postmaster, which reaps them: a backend ends when a client cancels a query).
cpu_pg() {
	[ "$db" = postgres ] || { echo 0; return; }
	# A backend may end between pgrep and the read: skip it.
	{ pgrep -x postgres | while read -r pid; do cat "/proc/$pid/stat" 2>/dev/null || true; done; } |
		awk -v hz="$hz" '{s += $14+$15+$16+$17} END {printf "%.2f", s/hz}'
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b-a}'; }

wait_up() { # wait_up URL PID
	for _ in $(seq 1 600); do
		curl -fs -o /dev/null "$1" && return 0
		kill -0 "$2" 2>/dev/null || { echo "discussions.sh: server exited; its log:" >&2; cat "$work"/*.log >&2; exit 1; }
		sleep 0.1
	done
	echo "discussions.sh: $1 did not answer in 60 s" >&2
	exit 1
}

# wait_no_wrk: another load run (a colleague's, say) must end before ours:
# no wrk for QUIET seconds in a row, as scripts pause a few seconds between
# their runs.
QUIET=${QUIET:-8}
wait_no_wrk() {
	local said="" quiet=0
	while [ "$quiet" -lt "$QUIET" ]; do
		if pgrep -x wrk >/dev/null; then
			quiet=0
			[ -n "$said" ] || { echo "(waiting for another wrk to finish)"; said=1; }
		else
			quiet=$((quiet + 1))
		fi
		sleep 1
	done
}

# settle PID: wait until the process and PostgreSQL together use under 5%
# of a core for 2 s, at most 180 s: at start the server runs its periodic
# jobs (trust levels, badges) over every seeded member, which queues a few
# thousand background jobs.
settle() {
	local a b
	for _ in $(seq 1 90); do
		a=$(awk -v s="$(cpu_of "$1")" -v g="$(cpu_pg)" 'BEGIN {print s+g}')
		sleep 2
		b=$(awk -v s="$(cpu_of "$1")" -v g="$(cpu_pg)" 'BEGIN {print s+g}')
		awk -v a="$a" -v b="$b" 'BEGIN {exit !(b-a < 0.1)}' && return 0
	done
	echo "(the server did not settle in 180 s)"
}

echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpus:    $(nproc) (wrk and the server share them)"
echo "memory:  $(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "cpu:     $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "go:      $(go version)"
echo "wrk:     $(wrk --version 2>&1 | head -n1 || true)"
echo "sqlite3: $(sqlite3 --version | cut -d' ' -f1)"
case " $DBS " in *" postgres "*) echo "postgres: $(psql "$PG_ADMIN_URL" -Atc 'SHOW server_version')" ;; esac
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git status --porcelain -uno 2>/dev/null | grep -q . && echo ' + uncommitted changes')"
echo "size:    --users $USERS --topics $TOPICS --posts $POSTS"
echo "wrk:     -t$THREADS -c$CONNECTIONS, $WARMUP warm-up then $DURATION measured per endpoint"

echo "== build"
go build -o "$work/causerie" ./cmd/causerie
go build -o "$work/bare" ./docs/bench/bare

# sql DB QUERY: run a query on the current database, rows as "a|b".
sql() {
	if [ "$db" = sqlite ]; then
		sqlite3 "$CAUSERIE_DATA_DIR/causerie.db" "$1"
	else
		psql "$CAUSERIE_DATABASE_URL" -At -v ON_ERROR_STOP=1 -c "$1"
	fi
}

declare -A rps p50 p99 non2xx other scpu total pgcpu
run() { # run NAME URL [wrk options...] [-- script arguments...]
	local name=$1 url=$2 out a0 s0 g0 a1 s1 g1 w opts=() args=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	args=("$@") # "--" and what follows, or nothing
	wait_no_wrk
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${opts[@]}" "$url" "${args[@]}" >/dev/null
	wait_no_wrk
	echo "== $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency ${opts[*]} $url ${args[*]}" |
		sed -E 's/(Bearer |causerie_session=)[^ ]+/\1.../g'
	a0=$(cpu_all) s0=$(cpu_of "$srv") g0=$(cpu_pg)
	# "times" adds the CPU time wrk used as the last line.
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${opts[@]}" "$url" "${args[@]}"; times)
	# When wrk stops, the requests in flight are cancelled and PostgreSQL
	# backends end: let them be reaped, or their CPU would be missed.
	sleep 1
	a1=$(cpu_all) s1=$(cpu_of "$srv") g1=$(cpu_pg)
	w=$(tail -n1 <<<"$out" | awk '{for (i = 1; i <= 2; i++) {split($i, t, /[ms]/); s += t[1]*60 + t[2]}; printf "%.2f", s}')
	out=$(head -n -2 <<<"$out")
	echo "$out"
	scpu[$name]=$(secs "$s0" "$s1")
	pgcpu[$name]=$(secs "$g0" "$g1")
	other[$name]=$(awk -v a0="$a0" -v a1="$a1" -v s0="$s0" -v s1="$s1" -v g0="$g0" -v g1="$g1" -v w="$w" \
		'BEGIN {printf "%.1f", (a1-a0) - (s1-s0) - (g1-g0) - w}')
	echo "CPU s: target server ${scpu[$name]}, PostgreSQL ${pgcpu[$name]}, wrk $w, rest of the machine ${other[$name]};" \
		"server RSS now $(mib "$(rss_kb "$server_pid")")"
	rps[$name]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	p50[$name]=$(awk '$1 == "50%" {print $2}' <<<"$out")
	p99[$name]=$(awk '$1 == "99%" {print $2}' <<<"$out")
	non2xx[$name]=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
	non2xx[$name]=${non2xx[$name]:-0}
	total[$name]=$(awk '/ requests in / {print $1}' <<<"$out")
	sleep 2
}

# expect CODE URL [curl args...]: one request must answer CODE.
expect() {
	local want=$1 url=$2 code
	shift 2
	code=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")
	[ "$code" = "$want" ] || { echo "discussions.sh: $url answers $code, want $want" >&2; exit 1; }
}

summary=()
for db in $DBS; do
	echo
	echo "######## $db"
	export CAUSERIE_DATA_DIR="$work/$db"
	export CAUSERIE_SERVER_LISTEN="127.0.0.1:$PORT"
	export CAUSERIE_LOG_LEVEL=warn
	unset CAUSERIE_DATABASE_URL
	mkdir -p "$CAUSERIE_DATA_DIR"
	case $db in
	sqlite) ;;
	postgres)
		pg_db="causerie_bench_$(date +%s)_$$"
		psql "$PG_ADMIN_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $pg_db" >/dev/null
		# The admin URL with the new database's name as its path.
		CAUSERIE_DATABASE_URL=$(sed -E "s#^([a-z]+://[^/?]*)(/[^?]*)?#\1/$pg_db#" <<<"$PG_ADMIN_URL")
		export CAUSERIE_DATABASE_URL
		echo "database: $pg_db (fresh)"
		;;
	*) echo "discussions.sh: unknown database $db (sqlite or postgres)" >&2; exit 1 ;;
	esac

	echo "== seed: causerie seed --users $USERS --topics $TOPICS --posts $POSTS --index=false"
	t0=$(now)
	(cd "$work" && ./causerie seed --users "$USERS" --topics "$TOPICS" --posts "$POSTS" --index=false >"$work/seed-$db.log" 2>&1) ||
		{ cat "$work/seed-$db.log" >&2; exit 1; }
	t1=$(now)
	seed_s=$(secs "$t0" "$t1")
	seed_rate=$(awk -v n="$POSTS" -v s="$seed_s" 'BEGIN {printf "%.0f", n/s}')
	tail -n 3 "$work/seed-$db.log" | tr '\r' '\n' | grep -v '^\s*$' | tail -n 2 || true
	echo "seeded $POSTS posts in $seed_s s: $seed_rate posts/s (migrations included)"
	if [ "$SEED_ONLY" = 1 ]; then
		summary+=("$db: seed --users $USERS --topics $TOPICS --posts $POSTS: $seed_s s, $seed_rate posts/s")
		[ "$db" = postgres ] && drop_pg
		continue
	fi
	echo "== search index: causerie reindex"
	t0=$(now)
	(cd "$work" && ./causerie reindex >"$work/reindex-$db.log" 2>&1) || { cat "$work/reindex-$db.log" >&2; exit 1; }
	index_s=$(secs "$t0" "$(now)")
	grep '^Indexed' "$work/reindex-$db.log" || true

	echo "== accounts"
	(cd "$work" && printf '%s' "$PASSWORD" |
		./causerie user create --username benchadmin --email benchadmin@example.com --role admin --password-stdin >/dev/null)
	(cd "$work" && printf '%s' "$PASSWORD" |
		./causerie user create --username benchmember --email benchmember@example.com --role member --password-stdin >/dev/null)
	# Level 4 (locked, so the trust job leaves it): [antispam] limits posts
	# a minute at lower levels (8 at level 2), and the posting run would
	# measure only that limit.
	sql "UPDATE users SET trust_level = 4, trust_locked = true WHERE username = 'benchmember'" >/dev/null
	token=$(cd "$work" && ./causerie token create --user benchmember --name bench | grep -Eo '[A-Za-z0-9_-]{20,}' | tail -n1)
	[ -n "$token" ] || { echo "discussions.sh: no token" >&2; exit 1; }
	echo "benchadmin (admin), benchmember (member, trust level 4, API token)"

	# Canonical topic addresses, for paths.lua.
	sql "SELECT id, slug FROM topics ORDER BY id" |
		awk -F'|' 'BEGIN {print "return {"} $2 !~ /^[a-z0-9-]+$/ {exit 1} {printf "\"/t/%s/%d\",\n", $2, $1} END {print "}"}' \
			>"$work/topics-$db.lua"
	# The topics whose first page is full (20 posts), for the issue's "topic
	# page of 20 posts"; the seed gives most topics fewer.
	sql "SELECT id, slug FROM topics WHERE highest_number >= 20 ORDER BY id" |
		awk -F'|' 'BEGIN {print "return {"} {printf "\"/t/%s/%d\",\n", $2, $1} END {print "}"}' >"$work/full-$db.lua"
	listed=$(grep -c '^"/t/' "$work/topics-$db.lua")
	[ "$listed" = "$TOPICS" ] || { echo "discussions.sh: listed $listed topics, want $TOPICS" >&2; exit 1; }
	category=$(sql "SELECT slug FROM categories ORDER BY topics_count DESC, id LIMIT 1")
	full=$(sql "SELECT count(*) FROM topics WHERE highest_number >= 20")
	avg=$(sql "SELECT round(avg(CASE WHEN highest_number > 20 THEN 20 ELSE highest_number END), 1) FROM topics")
	echo "topics: $listed listed; $full have 20 posts or more; a first page shows $avg posts on average"
	echo "category: /c/$category ($(sql "SELECT topics_count FROM categories WHERE slug = '$category'") topics)"

	(cd "$work" && exec ./causerie serve >"$work/causerie-$db.log" 2>&1) &
	server_pid=$!
	if [ -z "$bare_pid" ]; then
		(cd "$work" && exec ./bare -listen "127.0.0.1:$BARE_PORT" >"$work/bare.log" 2>&1) &
		bare_pid=$!
	fi
	base="http://127.0.0.1:$PORT"
	bare="http://127.0.0.1:$BARE_PORT/"
	wait_up "$base/healthz" "$server_pid"
	wait_up "$bare" "$bare_pid"
	t0=$(now)
	settle "$server_pid"
	echo "settled $(secs "$t0" "$(now)") s after start (background jobs done)"
	idle_start=$(rss_kb "$server_pid")
	idle_split=$(rss_split "$server_pid")
	echo "server RSS idle: $(mib "$idle_start"): $idle_split"
	watch_peak "$server_pid" "$work/peak-$db" &

	echo "== log in benchmember with curl"
	jar="$work/jar-$db"
	expect 200 "$base/login" -c "$jar"
	csrf=$(awk '$6 == "_csrf" {print $7}' "$jar")
	expect 303 "$base/login" -b "$jar" -c "$jar" --data-urlencode "_csrf=$csrf" \
		--data-urlencode "login=benchmember" --data-urlencode "password=$PASSWORD"
	session=$(awk '$6 == "causerie_session" {print $7}' "$jar")
	[ -n "$session" ] || { echo "discussions.sh: no session cookie after login" >&2; exit 1; }
	cookie="Cookie: causerie_session=$session"
	auth="Authorization: Bearer $token"

	# Check what the runs will ask before measuring: 200s, no redirect,
	# the member is logged in, the token works.
	first=$(sed -n 2p "$work/topics-$db.lua" | tr -d '",')
	expect 200 "$base/"
	expect 200 "$base/c/$category"
	expect 200 "$base$first"
	expect 200 "$base$first" -H "$cookie"
	page=$(curl -s -H "$cookie" "$base$first")
	grep -q 'href="/logout"\|action="/logout"' <<<"$page" && grep -q benchmember <<<"$page" ||
		{ echo "discussions.sh: the session cookie does not log benchmember in" >&2; exit 1; }
	expect 200 "$base/api/v1/topics/1" -H "$auth"
	echo "page sizes (bytes, no gzip): / $(curl -s "$base/" | wc -c), /c/$category $(curl -s "$base/c/$category" | wc -c)," \
		"$first $(curl -s "$base$first" | wc -c) (logged in $(curl -s -H "$cookie" "$base$first" | wc -c))," \
		"/api/v1/topics/1 $(curl -s -H "$auth" "$base/api/v1/topics/1" | wc -c)"
	echo "gzipped: $first $(curl -s -H 'Accept-Encoding: gzip' "$base$first" | wc -c)" \
		"(logged in $(curl -s -H 'Accept-Encoding: gzip' -H "$cookie" "$base$first" | wc -c))"

	srv=$bare_pid
	run bare "$bare"
	srv=$server_pid
	run home "$base/" "${gz[@]}"
	run category "$base/c/$category" "${gz[@]}"
	# Visitors' topic pages: first one unmeasured pass over every topic,
	# in order, so the measured runs see the page cache of a forum that has
	# been read for a while rather than the cache filling up.
	wait_no_wrk
	echo "== fill the page cache (not measured): wrk -d$FILL paths.lua ... walk"
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$FILL" -s docs/bench/paths.lua "${gz[@]}" "$base" -- "$work/topics-$db.lua" walk | grep -E 'requests in|Non-2xx' || true
	echo "server RSS now $(mib "$(rss_kb "$server_pid")")"
	run topic_anon "$base" -s docs/bench/paths.lua "${gz[@]}" -- "$work/topics-$db.lua"
	run full_anon "$base" -s docs/bench/paths.lua "${gz[@]}" -- "$work/full-$db.lua"
	run topic_member "$base" -s docs/bench/paths.lua -H "$cookie" "${gz[@]}" -- "$work/topics-$db.lua"
	run full_member "$base" -s docs/bench/paths.lua -H "$cookie" "${gz[@]}" -- "$work/full-$db.lua"
	run api_topic "$base" -s docs/bench/api_topic.lua -H "$auth" -- "$TOPICS"

	# How often the visitors' topic pages came from the page cache, and that
	# none of the pages redirected: a short run of its own, as counting in
	# Lua costs wrk CPU.
	wait_no_wrk
	echo "== page cache check (not measured): wrk -d5s paths.lua ... count"
	wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s docs/bench/paths.lua "${gz[@]}" "$base" -- "$work/topics-$db.lua" count | grep '^statuses'
	wait_no_wrk
	wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s docs/bench/paths.lua -H "$cookie" "${gz[@]}" "$base" -- "$work/topics-$db.lua" count |
		grep '^statuses' | sed 's/^/logged in: /'

	before=$(sql "SELECT count(*) FROM posts")
	run api_post "$base" -s docs/bench/api_post.lua -H "$auth" -- "$TOPICS"
	after=$(sql "SELECT count(*) FROM posts")
	added=$((after - before))
	# The warm-up posted too: the measured run's 201s are wrk's requests
	# minus its non-2xx answers (wrk counts a request that was still in
	# flight at the end as done only if it was answered).
	created=$((total[api_post] - non2xx[api_post]))
	post_rate=$(awk -v c="$created" -v d="${DURATION%s}" 'BEGIN {printf "%.0f", c/d}')
	echo "posts: $added rows added by the warm-up and the measured run; the measured run created $created ($post_rate/s)"
	# Each post queues background jobs (notifications, reputation) that
	# write to the same database: say how far behind they are.
	backlog=$(sql "SELECT count(*) FROM goqite")
	echo "background jobs queued at the end of the posting run: $backlog"

	peak=$(hwm_kb "$server_pid")
	stop "$server_pid"
	server_pid=""
	if grep -qv '^$' "$work/causerie-$db.log"; then
		echo "== causerie log (warn and above), first lines"
		head -n 20 "$work/causerie-$db.log"
	fi

	tbl="$work/table-$db"
	{
		echo
		echo "== results: $db, $POSTS posts ($(date -u '+%Y-%m-%d'))"
		printf '%-38s %11s %9s %9s %8s %8s %9s %9s %8s\n' endpoint requests/s p50 p99 "vs bare" non-2xx "srv µs/r" "PG µs/r" "other s"
		for k in bare home category topic_anon topic_member full_anon full_member api_topic api_post; do
			case $k in
			bare) label="bare Echo handler" ;;
			home) label="/ (visitor)" ;;
			category) label="/c/$category (visitor)" ;;
			topic_anon) label="topic page, visitor" ;;
			topic_member) label="topic page, logged in" ;;
			full_anon) label="topic page of 20 posts, visitor" ;;
			full_member) label="topic page of 20 posts, logged in" ;;
			api_topic) label="GET /api/v1/topics/<id> (token)" ;;
			api_post) label="POST /api/v1/topics/<id>/posts" ;;
			esac
			ratio=$(awk -v a="${rps[$k]}" -v b="${rps[bare]}" 'BEGIN {printf "%.1f%%", 100*a/b}')
			# CPU per request: of the server (or the bare one), and of PostgreSQL.
			per_s=$(awk -v c="${scpu[$k]}" -v n="${total[$k]}" 'BEGIN {printf "%.0f", 1e6*c/n}')
			per_g=$(awk -v c="${pgcpu[$k]}" -v n="${total[$k]}" 'BEGIN {printf "%.0f", 1e6*c/n}')
			printf '%-38s %11s %9s %9s %8s %8s %9s %9s %8s\n' "$label" "${rps[$k]}" "${p50[$k]}" "${p99[$k]}" "$ratio" "${non2xx[$k]}" \
				"$per_s" "$per_g" "${other[$k]}"
		done
		echo "seed: $seed_s s for $POSTS posts = $seed_rate posts/s; search index built in $index_s s"
		echo "posts created through the API: $post_rate/s (background jobs still queued at the end: $backlog)"
		echo "server RSS idle after start: $(mib "$idle_start"); peak (VmHWM) over all runs: $(mib "$peak")"
		echo "  idle: $idle_split"
		echo "  highest sample: $(cat "$work/peak-$db" 2>/dev/null || echo none)"
	} >"$tbl"
	cat "$tbl"
	summary+=("$(cat "$tbl")")
	[ "$db" = postgres ] && drop_pg
done

echo
echo "######## summary"
for s in "${summary[@]}"; do echo "$s"; done
