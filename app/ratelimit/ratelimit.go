// Package ratelimit counts attempts per key (an IP address, an account) in
// fixed windows and says when the next attempt may succeed. The counts live
// in memory on one node; the scale-out work puts them in Redis through the
// same limiter library.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"

	"causerie/app/config"
	"causerie/app/errs"
)

// Limiter allows a number of attempts per key per period.
type Limiter struct {
	name string
	l    *limiter.Limiter
}

// New returns a limiter named name (the prefix of its keys) for rate.
func New(name string, rate config.Rate) *Limiter {
	store := memory.NewStoreWithOptions(limiter.StoreOptions{Prefix: "causerie:" + name, CleanUpInterval: time.Minute})
	return &Limiter{name: name, l: limiter.New(store, limiter.Rate{Limit: int64(rate.Limit), Period: rate.Period})}
}

// Take counts one attempt for each key and fails with *errs.Limited when any
// of them has none left. Every key is counted, so trying another account
// from the same address still uses up the address's allowance.
func (l *Limiter) Take(ctx context.Context, keys ...string) error {
	var worst time.Duration
	for _, k := range keys {
		if k == "" {
			continue
		}
		res, err := l.l.Get(ctx, k)
		if err != nil {
			return fmt.Errorf("rate limit %s: %w", l.name, err)
		}
		if res.Reached {
			if wait := time.Until(time.Unix(res.Reset, 0)); wait > worst {
				worst = wait
			}
		}
	}
	if worst > 0 {
		return &errs.Limited{RetryAfter: worst}
	}
	return nil
}

// Reset forgets the attempts of key, e.g. an account's after a good login.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	_, err := l.l.Reset(ctx, key)
	return err
}
