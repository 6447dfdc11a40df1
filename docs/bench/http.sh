#!/usr/bin/env bash
# HTTP benchmark of Causerie, written up in docs/benchmarks.md.
#
#   bash docs/bench/http.sh
#
# Builds causerie and the bare Echo yardstick (docs/bench/bare) into a
# temporary folder, starts causerie on a fresh SQLite data folder with one
# administrator, "ana" ("admin" is a reserved name), so that / renders the
# home page instead of redirecting to /setup; then runs wrk against /healthz,
# /, /login and the bare server, and reads the server's memory from /proc.
# Everything it starts is stopped and the temporary folder removed when it
# ends, even on failure or Ctrl-C.
#
# Needs: go, gcc (cgo SQLite), wrk, curl, Linux /proc.
# The machine may be shared: before each wrk run the script waits until no
# other wrk runs (pgrep -x wrk), and it measures every endpoint ROUNDS times,
# one endpoint after the other, keeping per endpoint the round in which the
# rest of the machine used the least CPU ("other CPU s": total CPU time
# minus that of the server, the bare server and wrk). wrk and the server
# share the machine's cores.
#
# Knobs (environment): PORT (18080), BARE_PORT (18081), DURATION (20s),
# CONNECTIONS (64), THREADS (2), WARMUP (5s), ROUNDS (3), LOG_LEVEL (warn).
set -euo pipefail

cd "$(dirname "$0")/../.."

PORT=${PORT:-18080}
BARE_PORT=${BARE_PORT:-18081}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
ROUNDS=${ROUNDS:-3}
LOG_LEVEL=${LOG_LEVEL:-warn}

for tool in go wrk curl; do
	command -v "$tool" >/dev/null || { echo "http.sh: $tool is missing" >&2; exit 1; }
done
for p in "$PORT" "$BARE_PORT"; do
	if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
		echo "http.sh: port $p is already in use (set PORT / BARE_PORT)" >&2
		exit 1
	fi
done

work=$(mktemp -d)
server_pid=""
bare_pid=""

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
cleanup() {
	stop "$server_pid"
	stop "$bare_pid"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k/1024}'; }

wait_up() { # wait_up URL PID
	for _ in $(seq 1 300); do
		curl -fs -o /dev/null "$1" && return 0
		kill -0 "$2" 2>/dev/null || { echo "http.sh: server exited; its log:" >&2; cat "$work"/*.log >&2; exit 1; }
		sleep 0.1
	done
	echo "http.sh: $1 did not answer in 30 s" >&2
	exit 1
}

echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpus:    $(nproc) (wrk and the server share them)"
echo "memory:  $(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "cpu:     $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "go:      $(go version)"
echo "wrk:     $(wrk --version 2>&1 | head -n1 || true)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git status --porcelain -uno 2>/dev/null | grep -q . && echo ' + uncommitted changes')"
echo "log:     CAUSERIE_LOG_LEVEL=$LOG_LEVEL"

echo "== build"
go build -o "$work/causerie" ./cmd/causerie
go build -o "$work/bare" ./docs/bench/bare

# Run causerie from the empty temporary folder so no config.toml is read:
# every setting is its default except the three below.
export CAUSERIE_DATA_DIR="$work/data"
export CAUSERIE_SERVER_LISTEN="127.0.0.1:$PORT"
export CAUSERIE_LOG_LEVEL="$LOG_LEVEL"

(cd "$work" && printf '%s' 'purple monkey dishwasher' |
	./causerie user create --username ana --email ana@example.com --role admin --password-stdin >/dev/null)

(cd "$work" && exec ./causerie serve >"$work/causerie.log" 2>&1) &
server_pid=$!
(cd "$work" && exec ./bare -listen "127.0.0.1:$BARE_PORT" >"$work/bare.log" 2>&1) &
bare_pid=$!

base="http://127.0.0.1:$PORT"
bare="http://127.0.0.1:$BARE_PORT/"
wait_up "$base/healthz" "$server_pid"
wait_up "$bare" "$bare_pid"

echo "== responses (status, bytes; wrk sends no Accept-Encoding, so no gzip)"
for url in "$base/healthz" "$base/" "$base/login" "$bare"; do
	curl -s -o /dev/null -w "%{http_code} %{size_download} bytes  $url\n" "$url"
	code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
	[ "$code" = 200 ] || { echo "http.sh: $url answers $code, want 200" >&2; exit 1; }
done

# Visitors get / from the page cache: say whether this request was a hit.
echo "/ again: X-Cache: $(curl -s -D - -o /dev/null "$base/" | awk -F': ' 'tolower($1) == "x-cache" {print $2}' | tr -d '\r')"

sleep 2
idle_start=$(rss_kb "$server_pid")
bare_idle=$(rss_kb "$bare_pid")

wait_wrk() { # until no other wrk runs (another benchmark on this machine)
	local said=""
	while pgrep -x wrk >/dev/null; do
		[ -n "$said" ] || { echo "(waiting for another wrk to finish)"; said=1; }
		sleep 2
	done
}

echo "== warm-up ($WARMUP each on /, /login, /healthz and the bare server)"
for url in "$base/" "$base/login" "$base/healthz" "$bare"; do
	wait_wrk
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
done
sleep 5
idle_warm=$(rss_kb "$server_pid")

# CPU seconds: of the whole machine (user, nice, system, irq, softirq: a
# process is charged for the softirq work done on its behalf), and of one
# process.
hz=$(getconf CLK_TCK)
cpu_all() { awk -v hz="$hz" '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8)/hz}' /proc/stat; }
cpu_of() { awk -v hz="$hz" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat"; }

declare -A rps p50 p99 non2xx other round cpureq
run() { # run NAME URL ROUND
	local out a0 s0 b0 a1 s1 b1 w o
	wait_wrk
	echo "== round $3: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $2"
	a0=$(cpu_all) s0=$(cpu_of "$server_pid") b0=$(cpu_of "$bare_pid")
	# "times" adds the CPU time wrk used as the last line.
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2"; times)
	a1=$(cpu_all) s1=$(cpu_of "$server_pid") b1=$(cpu_of "$bare_pid")
	w=$(tail -n1 <<<"$out" | awk '{for (i = 1; i <= 2; i++) {split($i, t, /[ms]/); s += t[1]*60 + t[2]}; printf "%.2f", s}')
	out=$(head -n -2 <<<"$out")
	echo "$out"
	o=$(awk -v a0="$a0" -v a1="$a1" -v s0="$s0" -v s1="$s1" -v b0="$b0" -v b1="$b1" -v w="$w" \
		'BEGIN {printf "%.1f", (a1-a0) - (s1-s0) - (b1-b0) - w}')
	echo "CPU s: server $(awk -v a="$s0" -v b="$s1" 'BEGIN {printf "%.1f", b-a}')," \
		"bare $(awk -v a="$b0" -v b="$b1" 'BEGIN {printf "%.1f", b-a}'), wrk $w," \
		"machine $(awk -v a="$a0" -v b="$a1" 'BEGIN {printf "%.1f", b-a}'), other $o"
	# Keep the round the rest of the machine disturbed least.
	if [ -z "${other[$1]:-}" ] || awk -v a="$o" -v b="${other[$1]}" 'BEGIN {exit !(a < b)}'; then
		other[$1]=$o round[$1]=$3
		rps[$1]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
		p50[$1]=$(awk '$1 == "50%" {print $2}' <<<"$out")
		p99[$1]=$(awk '$1 == "99%" {print $2}' <<<"$out")
		non2xx[$1]=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
		non2xx[$1]=${non2xx[$1]:-0}
		# CPU time of the server measured (causerie or bare) per request.
		cpureq[$1]=$(awk -v n="$(awk '/ requests in / {print $1}' <<<"$out")" \
			-v c="$(awk -v s0="$s0" -v s1="$s1" -v b0="$b0" -v b1="$b1" 'BEGIN {print (s1-s0) + (b1-b0)}')" \
			'BEGIN {printf "%.0f", c*1e6/n}')
	fi
	sleep 3
}
for r in $(seq 1 "$ROUNDS"); do
	run bare "$bare" "$r"
	run healthz "$base/healthz" "$r"
	run home "$base/" "$r"
	run login "$base/login" "$r"
done

peak=$(hwm_kb "$server_pid")
idle_after=$(rss_kb "$server_pid")
bare_peak=$(hwm_kb "$bare_pid")

echo
echo "== results (per endpoint, the round with the least other CPU)"
printf '%-20s %11s %9s %9s %8s %14s %8s %12s %6s\n' endpoint requests/s p50 p99 "vs bare" "server CPU/req" non-2xx "other CPU s" round
for k in bare healthz home login; do
	case $k in
	bare) name="bare Echo /" ;;
	healthz) name="causerie /healthz" ;;
	home) name="causerie /" ;;
	login) name="causerie /login" ;;
	esac
	ratio=$(awk -v a="${rps[$k]}" -v b="${rps[bare]}" 'BEGIN {printf "%.2f", a/b}')
	printf '%-20s %11s %9s %9s %8s %14s %8s %12s %6s\n' "$name" "${rps[$k]}" "${p50[$k]}" "${p99[$k]}" "$ratio" "${cpureq[$k]} us" "${non2xx[$k]}" "${other[$k]}" "${round[$k]}"
done
echo
echo "causerie RSS idle after start:   $(mib "$idle_start")"
echo "causerie RSS idle after warm-up: $(mib "$idle_warm")"
echo "causerie RSS after the runs:     $(mib "$idle_after")"
echo "causerie peak RSS (VmHWM):       $(mib "$peak")"
echo "bare Echo RSS idle / peak:       $(mib "$bare_idle") / $(mib "$bare_peak")"
if grep -qv '^$' "$work/causerie.log"; then
	echo
	echo "== causerie log (level $LOG_LEVEL and above)"
	head -n 20 "$work/causerie.log"
fi
