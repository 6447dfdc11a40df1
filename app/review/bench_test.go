package review_test

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"testing"
	"time"

	"causerie/app/review"
	"causerie/app/testutil"
	"causerie/app/topic"
	"causerie/app/user"
)

// seedHeld writes n held replies, each with its open queue item, straight
// into the tables (the service would take minutes), spread over a day.
func seedHeld(b *testing.B, env *testutil.Env, author *user.User, n int) {
	b.Helper()
	g := env.App.DB.DB
	now := time.Now().UTC().Truncate(time.Microsecond)
	t := &topic.Topic{CategoryID: 1, UserID: author.ID, Kind: topic.KindDiscussion, Title: "A topic with many held replies",
		Slug: "a-topic-with-many-held-replies", State: topic.StatePublished, HighestNumber: n + 1, LastPostAt: now, CreatedAt: now, UpdatedAt: now}
	testutil.Must(b, g.Create(t).Error, "topic")
	testutil.Must(b, g.Create(&topic.Post{TopicID: t.ID, UserID: author.ID, Number: 1, Body: "First.", HTML: "<p>First.</p>",
		State: topic.StatePublished, CreatedAt: now, UpdatedAt: now}).Error, "first post")
	const batch = 500
	for from := 0; from < n; from += batch {
		var posts []*topic.Post
		for i := from; i < min(from+batch, n); i++ {
			at := now.Add(-time.Duration(n-i) * 24 * time.Hour / time.Duration(n))
			posts = append(posts, &topic.Post{TopicID: t.ID, UserID: author.ID, Number: i + 2, Body: fmt.Sprintf("Held reply %d with a few words.", i),
				HTML: fmt.Sprintf("<p>Held reply %d with a few words.</p>", i), State: topic.StatePending, CreatedAt: at, UpdatedAt: at})
		}
		testutil.Must(b, g.Create(&posts).Error, "posts")
		var items []*review.Item
		for i, p := range posts {
			cat, tid, pid, sid := int64(1), t.ID, p.ID, author.ID
			items = append(items, &review.Item{Kind: review.KindHeldPost, Status: review.StatusOpen, TargetKey: fmt.Sprintf("post:%d", p.ID),
				Score: 1 + (from+i)%7, CategoryID: &cat, TopicID: &tid, PostID: &pid, SubjectID: &sid, Reasons: "first_post",
				Payload: "{}", CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt})
		}
		testutil.Must(b, g.Create(&items).Error, "items")
	}
}

func benchEnv(b *testing.B) *testutil.Env {
	if os.Getenv(testutil.PostgresEnv) != "" && os.Getenv("CAUSERIE_BENCH_DB") == "postgres" {
		return testutil.NewOn(b, "postgres")
	}
	return testutil.New(b)
}

// BenchmarkQueuePage is a moderator opening /review (50 items in
// context, oldest first, then by score) with 10,000 open items; it reports
// the 50th and 99th percentiles.
//
//	go test ./app/review/ -run '^$' -bench QueuePage -benchtime 300x
func BenchmarkQueuePage(b *testing.B) {
	env := benchEnv(b)
	mod := env.UserWithRole(b, "maud", "moderator")
	seedHeld(b, env, env.Newcomer(b, "newbie"), 10_000)
	c := env.Client()
	c.Login(b, mod.Username)
	paths := []string{"/review", "/review?sort=score"}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		res := c.Get(b, paths[i%len(paths)])
		times = append(times, time.Since(start))
		if res.StatusCode != http.StatusOK {
			b.Fatalf("queue page: %d", res.StatusCode)
		}
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99_ms")
}

// BenchmarkBulkApprove1000 is one bulk approval of 1,000 held posts: each
// published, counted, announced, audited and its author told.
//
//	go test ./app/review/ -run '^$' -bench BulkApprove -benchtime 1x
func BenchmarkBulkApprove1000(b *testing.B) {
	for range b.N {
		b.StopTimer()
		env := benchEnv(b)
		mod := env.UserWithRole(b, "maud", "moderator")
		seedHeld(b, env, env.Newcomer(b, "newbie"), 1000)
		var ids []int64
		testutil.Must(b, env.App.DB.Model(&review.Item{}).Where("status = ?", review.StatusOpen).Order("id").Pluck("id", &ids).Error, "ids")
		b.StartTimer()
		r, err := env.App.Review.Bulk(testutil.Ctx(), mod.Viewer(), ids, review.Decision{Outcome: review.Approve})
		b.StopTimer()
		testutil.Must(b, err, "bulk")
		if len(r.Done) != 1000 {
			b.Fatalf("approved %d of 1000 (%v)", len(r.Done), r.Failed)
		}
		b.ReportMetric(r.Took.Seconds(), "s/1000")
	}
}
