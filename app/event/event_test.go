package event_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"

	"gorm.io/gorm"

	"causerie/app/config"
	"causerie/app/db"
	"causerie/app/event"
	"causerie/app/jobs"
	"causerie/app/testutil"
)

var ctx = context.Background()

type postLiked struct {
	PostID int64
	By     string
}

func (postLiked) EventName() string { return "test.post_liked" }

type topicClosed struct{ TopicID int64 }

func (topicClosed) EventName() string { return "test.topic_closed" }

// each runs fn on a migrated SQLite database and, when
// CAUSERIE_TEST_POSTGRES_URL is set, on a fresh PostgreSQL one.
func each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	dialects := []string{"sqlite"}
	if os.Getenv(testutil.PostgresEnv) != "" {
		dialects = append(dialects, "postgres")
	}
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			cfg := config.Default()
			cfg.Data.Dir = t.TempDir()
			if dialect == "postgres" {
				cfg.Database.URL = testutil.NewPostgres(t)
			}
			d, err := db.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			if err := d.Migrate(ctx, quiet()); err != nil {
				t.Fatal(err)
			}
			fn(t, d)
		})
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// seen records what each subscriber received.
type seen struct {
	mu  sync.Mutex
	got map[string][]postLiked
}

func (s *seen) subscriber(name string, fail error) func(context.Context, postLiked) error {
	return func(_ context.Context, e postLiked) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.got == nil {
			s.got = map[string][]postLiked{}
		}
		s.got[name] = append(s.got[name], e)
		return fail
	}
}

func (s *seen) of(name string) []postLiked {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[name]
}

// An event published in a committed transaction reaches every subscriber
// once, with its fields; one published in a rolled-back transaction reaches
// none; a failing subscriber does not hold up the others.
func TestPublishTx(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB) {
		q := jobs.New(d, quiet(), jobs.Options{})
		bus := event.NewBus(q)
		var s seen
		event.Subscribe(bus, "search", s.subscriber("search", nil))
		event.Subscribe(bus, "notify", s.subscriber("notify", nil))
		event.Subscribe(bus, "mirror", s.subscriber("mirror", errors.New("network down")))
		var closed int
		event.Subscribe(bus, "search", func(context.Context, topicClosed) error { closed++; return nil })

		err := d.Transaction(func(tx *gorm.DB) error {
			if err := bus.PublishTx(ctx, tx, postLiked{PostID: 1, By: "ana"}); err != nil {
				return err
			}
			return errors.New("the change fails")
		})
		if err == nil || err.Error() != "the change fails" {
			t.Fatal(err)
		}
		if err := d.Transaction(func(tx *gorm.DB) error {
			return bus.PublishTx(ctx, tx, postLiked{PostID: 2, By: "bo"})
		}); err != nil {
			t.Fatal(err)
		}
		if err := q.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		want := []postLiked{{PostID: 2, By: "bo"}}
		for _, name := range []string{"search", "notify", "mirror"} {
			if got := s.of(name); len(got) != 1 || got[0] != want[0] {
				t.Errorf("%s received %+v, want %+v", name, got, want)
			}
		}
		if closed != 0 {
			t.Errorf("a subscriber to another event ran %d times", closed)
		}
		var left []string
		d.Raw(`SELECT body FROM goqite`).Scan(&left)
		if len(left) != 1 {
			t.Errorf("queue holds %q, want only the failed mirror job, waiting for its retry", left)
		}
	})
}

func TestPublishTxNeedsTx(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB) {
		bus := event.NewBus(jobs.New(d, quiet(), jobs.Options{}))
		// Even with no subscriber yet, a publish outside a transaction is refused.
		if err := bus.PublishTx(ctx, d.DB, topicClosed{TopicID: 1}); !errors.Is(err, jobs.ErrNotInTx) {
			t.Errorf("PublishTx outside a transaction = %v, want ErrNotInTx", err)
		}
		if err := d.Transaction(func(tx *gorm.DB) error { return bus.PublishTx(ctx, tx, topicClosed{TopicID: 1}) }); err != nil {
			t.Errorf("PublishTx with no subscriber = %v", err)
		}
	})
}
