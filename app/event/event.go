// Package event is the durable event bus. A domain that changes something
// publishes an event inside the change's transaction; each subscriber
// (search, notify, analytics, plugins) gets its own job in the same
// transaction, so the reaction cannot be lost or happen for a change that
// rolled back, and a slow or failing subscriber does not hold up the
// others. The event types live here, so the domain that changes imports
// none of the domains that react. It imports only app/jobs and GORM.
package event

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"gorm.io/gorm"

	"causerie/app/jobs"
)

// Event is something that happened, named for the jobs of its subscribers.
// Events are plain structs with exported fields: they travel as JSON, so a
// subscriber sees the values at publishing time (IDs, mostly; it loads the
// rest). EventName has a value receiver and must work on the zero value.
type Event interface{ EventName() string }

// Bus fans events out to their subscribers through the job queue.
type Bus struct {
	q    *jobs.Queue
	mu   sync.RWMutex
	jobs map[string][]string // event name → job names, one per subscriber
}

// NewBus makes a bus on the queue.
func NewBus(q *jobs.Queue) *Bus {
	return &Bus{q: q, jobs: map[string][]string{}}
}

// Subscribe makes fn run for every event of type E published from now on,
// as the job "<event>:<subscriber>". Call it when wiring, before the queue
// starts; a subscriber name is used once per event type. Like every job
// handler, fn must be idempotent (it may run more than once for one event)
// and an error makes it retry with backoff.
func Subscribe[E Event](b *Bus, subscriber string, fn func(ctx context.Context, e E) error) {
	var zero E
	name := zero.EventName()
	if name == "" || subscriber == "" {
		panic(fmt.Sprintf("event: Subscribe needs an event name and a subscriber (%q, %q)", name, subscriber))
	}
	job := name + ":" + subscriber
	b.q.Register(job, func(ctx context.Context, payload []byte) error {
		var e E
		if err := json.Unmarshal(payload, &e); err != nil {
			return fmt.Errorf("decode %s event: %w", name, err)
		}
		return fn(ctx, e)
	})
	b.mu.Lock()
	b.jobs[name] = append(b.jobs[name], job)
	b.mu.Unlock()
}

// SubscribeBatch is Subscribe for a subscriber that does many events at
// once for much less than one at a time (one index write for many posts):
// fn gets the events of the jobs a worker took together, one or more. If
// it fails for several, each is retried alone.
func SubscribeBatch[E Event](b *Bus, subscriber string, fn func(ctx context.Context, es []E) error) {
	var zero E
	name := zero.EventName()
	if name == "" || subscriber == "" {
		panic(fmt.Sprintf("event: SubscribeBatch needs an event name and a subscriber (%q, %q)", name, subscriber))
	}
	job := name + ":" + subscriber
	b.q.RegisterBatch(job, func(ctx context.Context, payloads [][]byte) error {
		es := make([]E, len(payloads))
		for i, p := range payloads {
			if err := json.Unmarshal(p, &es[i]); err != nil {
				return fmt.Errorf("decode %s event: %w", name, err)
			}
		}
		return fn(ctx, es)
	})
	b.mu.Lock()
	b.jobs[name] = append(b.jobs[name], job)
	b.mu.Unlock()
}

// PublishTx records e inside tx, the GORM transaction of the change: one
// durable job per subscriber, which exist only if tx commits. An event
// nobody subscribed to is dropped, but tx must still be a transaction, so
// a wrong call shows before anyone subscribes.
func (b *Bus) PublishTx(ctx context.Context, tx *gorm.DB, e Event) error {
	if err := jobs.CheckTx(tx); err != nil {
		return fmt.Errorf("publish %s: %w", e.EventName(), err)
	}
	b.mu.RLock()
	subs := b.jobs[e.EventName()]
	b.mu.RUnlock()
	if err := b.q.EnqueueEachTx(ctx, tx, subs, e); err != nil {
		return fmt.Errorf("publish %s: %w", e.EventName(), err)
	}
	return nil
}
