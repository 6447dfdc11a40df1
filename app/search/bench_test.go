package search_test

import (
	"os"
	"strconv"
	"testing"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/search"
	"causerie/app/seed"
	"causerie/app/testutil"
)

// BenchmarkSearch runs a mix of queries (one word, two words, a phrase, a
// filter; English and French) on a seeded forum, in process: the cost of
// the index and the query, without HTTP. CAUSERIE_BENCH_POSTS sets the
// size (5,000 posts by default). docs/bench/search measures over HTTP.
// CAUSERIE_BENCH_DATA names a data folder already seeded and indexed (the
// KEEP folder of docs/bench/search.sh, its data/ inside) to search instead:
// profiling then starts at once, on the same index as the HTTP runs.
//
//	CAUSERIE_BENCH_POSTS=20000 go test ./app/search/ -run '^$' -bench Search -cpuprofile cpu.out
func BenchmarkSearch(b *testing.B) {
	posts := 5000
	if n, err := strconv.Atoi(os.Getenv("CAUSERIE_BENCH_POSTS")); err == nil && n > 0 {
		posts = n
	}
	// Every query computed: the mix repeats its queries, and the answer
	// cache would otherwise answer all but the first of each.
	b.Setenv("CAUSERIE_SEARCH_CACHE", "off")
	var env *testutil.Env
	if dir := os.Getenv("CAUSERIE_BENCH_DATA"); dir != "" {
		env = testutil.New(b, func(c *config.Config) { c.Data.Dir = dir })
	} else {
		env = testutil.New(b)
		_, err := seed.Run(ctx, env.App.DB.DB, env.App.Render, seed.Options{Users: max(2, posts/100), Topics: max(1, posts/10), Posts: posts, PasswordHash: "x"})
		testutil.Must(b, err, "seed")
		_, _, err = env.App.Search.Rebuild(ctx, nil)
		testutil.Must(b, err, "index")
	}
	kinds := []struct {
		name string
		qs   []string
	}{
		{"one_word", []string{"router", "connexion", "pairing"}},
		{"two_words", []string{"firmware update", "mise jour", "réglages défaut"}},
		{"phrase", []string{`"factory settings"`, `"mise à jour"`}},
		{"filtered", []string{"battery #battery", "routeur category:entraide", "camera is:solved", "thermostat @ana0"}},
	}
	var all []string
	for _, k := range kinds {
		all = append(all, k.qs...)
	}
	run := func(name string, qs []string) {
		var parsed []*search.Query
		for _, q := range qs {
			p, err := search.Parse(q)
			testutil.Must(b, err, "parse")
			parsed = append(parsed, p)
		}
		v := &auth.Viewer{}
		b.Run(name, func(b *testing.B) {
			qc := testutil.CountQueries(b, env.App.DB.DB)
			for i := 0; b.Loop(); i++ {
				if _, err := env.App.Search.Search(ctx, v, parsed[i%len(parsed)], 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(qc.N())/float64(b.N), "queries/op")
		})
	}
	run("mix", all)
	for _, k := range kinds {
		run(k.name, k.qs)
	}
}
