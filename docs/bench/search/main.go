// Command search measures Causerie's search as readers use it: 1,000
// mixed queries (one word, two words, a phrase, a filtered query; English
// and French, the words of `causerie seed`) sent to GET /api/v1/search of a
// running server, by one client and then by 16 at once. It prints the
// latency percentiles, the queries per second, and the server's memory
// (resident set now and at its peak, from /proc) while it served them.
//
//	go run ./docs/bench/search -base http://127.0.0.1:18095 -pid $(pgrep -n causerie)
//
// Results are in docs/benchmarks.md ("Search").
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The vocabulary of `causerie seed` (app/seed/words.go).
var (
	oneEN   = []string{"router", "thermostat", "camera", "doorbell", "sensor", "battery", "firmware", "pairing", "connection", "window", "settings", "account", "schedules", "review", "evening", "status"}
	oneFR   = []string{"routeur", "caméra", "sonnette", "capteur", "batterie", "réinitialiser", "connexion", "appairage", "fenêtre", "réglages", "journaux", "voyant", "installation", "correctif"}
	twoEN   = []string{"reset router", "battery weeks", "firmware update", "pairing fails", "camera cloud", "thermostat schedules", "light night", "connection evening", "factory settings", "second account"}
	twoFR   = []string{"batterie semaines", "mise jour", "connexion soirs", "appairage échoue", "caméra cloud", "réglages défaut", "voyant nuit", "routeur compatible"}
	phrases = []string{`"factory settings"`, `"firmware update"`, `"mise à jour"`, `"second account"`, `"status light"`, `"trois semaines"`, `"next release"`, `"prochaine version"`}
	filters = []string{"category:troubleshooting", "category:entraide", "#wifi", "#battery", "#firmware", "is:solved", "is:unsolved", "is:question", "@ana0", "after:2026-01-01", "status:open", "in:title"}
)

func queries(n int, r *rand.Rand) []string {
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	out := make([]string, n)
	for i := range out {
		switch k := i % 20; {
		case k < 6: // 30 % one word
			if k%2 == 0 {
				out[i] = pick(oneEN)
			} else {
				out[i] = pick(oneFR)
			}
		case k < 11: // 25 % two words
			if k%2 == 0 {
				out[i] = pick(twoEN)
			} else {
				out[i] = pick(twoFR)
			}
		case k < 14: // 15 % phrase
			out[i] = pick(phrases)
		default: // 30 % filtered
			out[i] = pick(append(oneEN, oneFR...)) + " " + pick(filters)
		}
	}
	return out
}

type result struct {
	lat     []time.Duration
	byClass map[string][]time.Duration
	byQuery map[string][]time.Duration
	errs    int
	took    time.Duration
}

// class names the kind of query, for the breakdown.
func class(q string) string {
	switch {
	case strings.HasPrefix(q, `"`):
		return "phrase"
	case strings.ContainsAny(q, ":#@"):
		return "filtered"
	case strings.Contains(q, " "):
		return "two words"
	}
	return "one word"
}

func run(base string, qs []string, conc int) result {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	var mu sync.Mutex
	res := result{byClass: map[string][]time.Duration{}, byQuery: map[string][]time.Duration{}}
	next := make(chan string)
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range next {
				t0 := time.Now()
				resp, err := client.Get(base + "/api/v1/search?q=" + url.QueryEscape(q))
				ok := err == nil && resp.StatusCode == 200
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(t0)
				mu.Lock()
				res.lat = append(res.lat, d)
				res.byClass[class(q)] = append(res.byClass[class(q)], d)
				res.byQuery[q] = append(res.byQuery[q], d)
				if !ok {
					res.errs++
				}
				mu.Unlock()
			}
		}()
	}
	for _, q := range qs {
		next <- q
	}
	close(next)
	wg.Wait()
	res.took = time.Since(start)
	slices.Sort(res.lat)
	return res
}

func pct(l []time.Duration, p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[min(len(l)-1, int(float64(len(l))*p))]
}

// memory reads the resident set (now and peak) of process pid, in MiB.
func memory(pid int) (rss, hwm float64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

func main() {
	base := flag.String("base", "http://127.0.0.1:18095", "the server's address")
	n := flag.Int("n", 1000, "queries per run")
	pid := flag.Int("pid", 0, "the server's process ID, for its memory (0: not measured)")
	seed := flag.Uint64("seed", 1, "the seed of the query mix")
	flag.Parse()
	qs := queries(*n, rand.New(rand.NewPCG(*seed, 2)))
	// Warm-up: the index's files into the page cache, the first segments loaded.
	run(*base, qs[:min(100, len(qs))], 4)
	fmt.Printf("%-12s %8s %8s %8s %8s %8s %8s %6s\n", "clients", "p50", "p90", "p99", "max", "q/s", "RSS MiB", "errors")
	var single result
	for _, c := range []int{1, 16} {
		r := run(*base, qs, c)
		if c == 1 {
			single = r
		}
		rss, _ := memory(*pid)
		fmt.Printf("%-12d %8s %8s %8s %8s %8.0f %8.0f %6d\n", c, pct(r.lat, .50).Round(100*time.Microsecond),
			pct(r.lat, .90).Round(100*time.Microsecond), pct(r.lat, .99).Round(100*time.Microsecond),
			r.lat[len(r.lat)-1].Round(100*time.Microsecond), float64(len(r.lat))/r.took.Seconds(), rss, r.errs)
	}
	fmt.Printf("\none client, by kind of query:\n")
	for _, k := range []string{"one word", "two words", "phrase", "filtered"} {
		l := single.byClass[k]
		slices.Sort(l)
		fmt.Printf("%-12s %8s %8s %8s  (%d queries)\n", k, pct(l, .50).Round(100*time.Microsecond),
			pct(l, .90).Round(100*time.Microsecond), pct(l, .99).Round(100*time.Microsecond), len(l))
	}
	// The queries that make the tail: the slowest by their median time.
	type slow struct {
		q      string
		median time.Duration
		n      int
	}
	var slowest []slow
	for q, l := range single.byQuery {
		slices.Sort(l)
		slowest = append(slowest, slow{q, pct(l, .5), len(l)})
	}
	slices.SortFunc(slowest, func(a, b slow) int { return int(b.median - a.median) })
	fmt.Printf("\none client, the slowest queries (median of their runs):\n")
	for _, s := range slowest[:min(8, len(slowest))] {
		fmt.Printf("%-40q %8s  (%d runs)\n", s.q, s.median.Round(100*time.Microsecond), s.n)
	}
	if *pid != 0 {
		_, hwm := memory(*pid)
		fmt.Printf("server peak RSS (VmHWM) since it started: %.0f MiB\n", hwm)
	}
}
