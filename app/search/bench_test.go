package search_test

import (
	"os"
	"strconv"
	"testing"

	"causerie/app/auth"
	"causerie/app/search"
	"causerie/app/seed"
	"causerie/app/testutil"
)

// BenchmarkSearch runs a mix of queries (one word, two words, a phrase, a
// filter; English and French) on a seeded forum, in process: the cost of
// the index and the query, without HTTP. CAUSERIE_BENCH_POSTS sets the
// size (5,000 posts by default). docs/bench/search measures over HTTP.
//
//	CAUSERIE_BENCH_POSTS=20000 go test ./app/search/ -run '^$' -bench Search -cpuprofile cpu.out
func BenchmarkSearch(b *testing.B) {
	posts := 5000
	if n, err := strconv.Atoi(os.Getenv("CAUSERIE_BENCH_POSTS")); err == nil && n > 0 {
		posts = n
	}
	env := testutil.New(b)
	_, err := seed.Run(ctx, env.App.DB.DB, env.App.Render, seed.Options{Users: max(2, posts/100), Topics: max(1, posts/10), Posts: posts, PasswordHash: "x"})
	testutil.Must(b, err, "seed")
	_, _, err = env.App.Search.Rebuild(ctx, nil)
	testutil.Must(b, err, "index")
	qs := []string{"router", "connexion", "firmware update", "mise jour", `"factory settings"`, `"mise à jour"`,
		"battery #battery", "routeur category:entraide", "camera is:solved", "thermostat @ana0", "pairing", "réglages défaut"}
	var parsed []*search.Query
	for _, q := range qs {
		p, err := search.Parse(q)
		testutil.Must(b, err, "parse")
		parsed = append(parsed, p)
	}
	v := &auth.Viewer{}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := env.App.Search.Search(ctx, v, parsed[i%len(parsed)], 1); err != nil {
			b.Fatal(err)
		}
	}
}
