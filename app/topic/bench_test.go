package topic_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"causerie/app/seed"
	"causerie/app/testutil"
	"causerie/app/web"
)

// benchForum is a seeded forum (50 members, 200 topics, 4,000 posts, with
// reactions and accepted answers) and the address of a topic whose first
// page is full (20 posts).
type benchForum struct {
	env    *testutil.Env
	path   string // /t/<slug>/<id>, the canonical address
	id     int64
	cookie string // a logged-in member's session cookie
	token  string // the same member's API token
}

func newBenchForum(b testing.TB, dialect string) *benchForum {
	b.Helper()
	env := testutil.NewOn(b, dialect)
	ctx := testutil.Ctx()
	env.UserWithRole(b, "bench_admin", "admin") // ends the first-run setup
	_, err := seed.Run(ctx, env.App.DB.DB, env.App.Render, seed.Options{Users: 50, Topics: 200, Posts: 4000,
		PasswordHash: "x", Rand: rand.New(rand.NewPCG(7, 11))})
	testutil.Must(b, err, "seed")
	var t struct {
		ID   int64
		Slug string
	}
	testutil.Must(b, env.App.DB.Raw(`SELECT id, slug FROM topics WHERE highest_number >= 20 AND accepted_post_id IS NOT NULL
		ORDER BY id LIMIT 1`).Scan(&t).Error, "pick a topic")
	if t.ID == 0 {
		b.Fatal("no topic with a full first page")
	}
	env.Member(b, "bench_member")
	c := env.Client()
	c.Login(b, "bench_member")
	token, err := env.App.Users.CreateAPIToken(ctx, "bench_member", "bench")
	testutil.Must(b, err, "token")
	f := &benchForum{env: env, path: fmt.Sprintf("/t/%s/%d", t.Slug, t.ID), id: t.ID,
		cookie: web.SessionCookie + "=" + c.Cookie(web.SessionCookie), token: token}
	// The first visits write what later ones do not (read marks, visits).
	f.get(b, f.path, "")
	f.get(b, f.path, "Cookie", f.cookie)
	return f
}

func benchDialects() []string {
	if os.Getenv(testutil.PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// get serves one request through the whole router, in process (no network).
func (f *benchForum) get(b testing.TB, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] != "" {
			req.Header.Set(header[i], header[i+1])
		}
	}
	rec := httptest.NewRecorder()
	f.env.App.Web.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d\n%.500s", path, rec.Code, rec.Body.String())
	}
	return rec
}

// BenchmarkTopicPage serves a topic page of 20 posts (and the accepted
// answer) as docs/benchmarks.md measures it with wrk, but in process, so a
// CPU profile shows the server's own costs:
//
//	go test ./app/topic -run '^$' -bench BenchmarkTopicPage -benchtime 3s -cpuprofile cpu.out
//	go tool pprof -top app/topic/topic.test cpu.out
//
// It reports the SQL statements per request (queries/op) and the CPU time
// per request (cpu-µs/op, steadier than ns/op on a shared machine) too. With
// CAUSERIE_TEST_POSTGRES_URL set it runs on PostgreSQL as well.
func BenchmarkTopicPage(b *testing.B) {
	for _, d := range benchDialects() {
		f := newBenchForum(b, d)
		q := testutil.CountQueries(b, f.env.App.DB.DB)
		cases := []struct {
			name   string
			path   string
			header []string
			before func()
		}{
			// A visitor served from the page cache: as kept (gzip), and
			// inflated for a client that does not accept gzip.
			{name: "visitor-cached-gzip", path: f.path, header: []string{"Accept-Encoding", "gzip"}},
			{name: "visitor-cached", path: f.path},
			// A visitor just after a change to the topic.
			{name: "visitor-uncached", path: f.path, header: []string{"Accept-Encoding", "gzip"},
				before: func() { f.env.App.Web.Cache.Invalidate(web.TopicTag(f.id)) }},
			{name: "member", path: f.path, header: []string{"Cookie", f.cookie}},
			{name: "member-gzip", path: f.path, header: []string{"Cookie", f.cookie, "Accept-Encoding", "gzip"}},
			// A member reading a topic no one read lately (wrk's random
			// topics among thousands): nothing of the page is kept.
			{name: "member-uncached", path: f.path, header: []string{"Cookie", f.cookie, "Accept-Encoding", "gzip"},
				before: func() { f.env.App.Web.Cache.Invalidate(web.TopicTag(f.id)) }},
			// A member's first visit of the topic: the page marks it read
			// (in memory; the flush writes it).
			{name: "member-first-visit", path: f.path, header: []string{"Cookie", f.cookie},
				before: func() {
					_ = f.env.App.Topics.FlushReadMarks(testutil.Ctx())
					f.env.App.DB.Exec("DELETE FROM topic_reads")
				}},
			{name: "api-token", path: fmt.Sprintf("/api/v1/topics/%d", f.id), header: []string{"Authorization", "Bearer " + f.token}},
			{name: "latest-member", path: "/latest", header: []string{"Cookie", f.cookie}},
		}
		for _, c := range cases {
			b.Run(d+"/"+c.name, func(b *testing.B) {
				f.get(b, c.path, c.header...)
				q.Reset()
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					if c.before != nil {
						c.before()
					}
					f.get(b, c.path, c.header...)
				}
				cpu = cpuTime() - cpu
				b.StopTimer()
				b.ReportMetric(float64(q.N())/float64(b.N), "queries/op")
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
				if cache := f.env.App.Web.Cache; strings.HasPrefix(c.name, "visitor") && cache.Len() > 0 {
					b.ReportMetric(float64(cache.Bytes())/float64(cache.Len()), "kept-B/page")
				}
			})
		}
	}
}

// BenchmarkReply posts replies through the API, one at a time, to topics
// taken in turn, as docs/benchmarks.md's posting run does with wrk. In
// "requests", the background jobs each post enqueues (notifications,
// search, reputation) are not run; in "with-jobs" they are, every 100
// posts (a server's workers run them too, on the same database), so the
// figures are what a post costs in all. cpu-µs/op is the process's CPU
// time per post, steadier than ns/op on a shared machine.
//
//	go test ./app/topic -run '^$' -bench BenchmarkReply -benchtime 3s -cpuprofile cpu.out
func BenchmarkReply(b *testing.B) {
	for _, d := range benchDialects() {
		for _, jobs := range []bool{false, true} {
			name := d + "/requests"
			if jobs {
				name = d + "/with-jobs"
			}
			b.Run(name, func(b *testing.B) {
				f := newBenchForum(b, d)
				ctx := testutil.Ctx()
				testutil.Must(b, f.env.App.Jobs.Drain(ctx), "drain")
				q := testutil.CountQueries(b, f.env.App.DB.DB)
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					f.reply(b, 1+int64(i%200), i)
					if jobs && (i%100 == 99 || i == b.N-1) {
						testutil.Must(b, f.env.App.Jobs.Drain(ctx), "drain")
					}
				}
				cpu = cpuTime() - cpu
				b.StopTimer()
				b.ReportMetric(float64(q.N())/float64(b.N), "queries/op")
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
			})
		}
	}
}

// BenchmarkReplyParallel posts replies through the API from 64 clients at
// once, as wrk's 64 connections do, to topics at random; the jobs the
// posts enqueue are run at the end and counted (cpu-µs/op is the process's
// CPU time per post, jobs included). On SQLite, concurrent replies commit
// together (db.Group); statements/op counts each group's BEGIN, savepoints
// and COMMIT as the driver runs them, not GORM's.
//
//	go test ./app/topic -run '^$' -bench BenchmarkReplyParallel -benchtime 4000x
func BenchmarkReplyParallel(b *testing.B) {
	for _, d := range benchDialects() {
		b.Run(d, func(b *testing.B) {
			f := newBenchForum(b, d)
			ctx := testutil.Ctx()
			testutil.Must(b, f.env.App.Jobs.Drain(ctx), "drain")
			var n atomic.Int64
			b.SetParallelism(32) // × GOMAXPROCS (2 here): 64 clients
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(uint64(n.Add(1)), 3))
				for pb.Next() {
					i := int(n.Add(1))
					rec := f.post(int64(1+r.IntN(200)), fmt.Sprintf("Parallel reply %d: the hub paired at once after the firmware update, thanks.", i))
					if rec.Code != http.StatusCreated {
						b.Errorf("reply: %d %s", rec.Code, rec.Body.String())
						return
					}
				}
			})
			testutil.Must(b, f.env.App.Jobs.Drain(ctx), "drain")
			cpu = cpuTime() - cpu
			b.StopTimer()
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the CPU time the process has used (user and system, every
// thread: the garbage collector's and the search index's background work
// count), which a busy neighbour on the machine does not inflate as it
// does the wall-clock time of ns/op.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reply posts reply i to a topic through the API with the member's token.
func (f *benchForum) reply(b testing.TB, topicID int64, i int) {
	rec := f.post(topicID, fmt.Sprintf("Benchmark reply %d: the hub paired at once after the firmware update, thanks for the tip.", i))
	if rec.Code != http.StatusCreated {
		b.Fatalf("reply: %d %s", rec.Code, rec.Body.String())
	}
}

// post sends a reply's text to a topic through the API with the member's
// token, and returns the answer (safe from parallel goroutines).
func (f *benchForum) post(topicID int64, text string) *httptest.ResponseRecorder {
	body := fmt.Sprintf(`{"body":%q}`, text)
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/posts", topicID), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+f.token)
	rec := httptest.NewRecorder()
	f.env.App.Web.ServeHTTP(rec, req)
	return rec
}
