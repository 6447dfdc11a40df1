package reputation

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"causerie/app/config"
	"causerie/app/event"
	"causerie/app/jobs"
)

// Events publishes what happened, inside the transaction of the change.
type Events interface {
	PublishTx(ctx context.Context, tx *gorm.DB, e event.Event) error
}

// Service holds the rules of points, trust levels and badges.
type Service struct {
	db     *gorm.DB
	rep    config.Reputation
	trust  config.Trust
	events Events
	log    *slog.Logger
	visits *visitCache
	now    func() time.Time
}

// NewService wires the rules of members' standing.
func NewService(g *gorm.DB, cfg config.Config, events Events, log *slog.Logger) *Service {
	return &Service{db: g, rep: cfg.Reputation, trust: cfg.Trust, events: events, log: log,
		visits: newVisitCache(), now: func() time.Time { return time.Now().UTC() }}
}

// Rules is the points each kind of reputation event is worth, from
// [reputation]. A kind worth 0 earns nothing and records nothing.
func (s *Service) Rules() map[string]int {
	return map[string]int{
		KindReaction: s.rep.ReactionReceived,
		KindAccepted: s.rep.AnswerAccepted,
		KindFeatured: s.rep.PostFeatured,
	}
}

// Periodic job names.
const (
	jobCheck = "reputation-check"
	jobTrust = "trust-levels"
)

// Subscribe registers what follows discussions: points and badges move
// with reactions, accepted answers, and posts deleted and restored; and
// the periodic jobs that promote members and check every member's badges.
// Call it once when wiring, before the queue starts.
//
// A featured topic earns points too (KindFeatured): the periodic check
// finds featured topics, and when topics publish an event for featuring,
// subscribe ReconcileTopic to it here.
func (s *Service) Subscribe(bus *event.Bus, q *jobs.Queue) {
	const sub = "reputation"
	// A member who posts many times checks the badge once, with the
	// earliest of the posts a worker took together.
	event.SubscribeBatch(bus, sub, func(ctx context.Context, es []event.PostCreated) error {
		first := map[int64]int64{}
		var users []int64
		for _, e := range es {
			if p, ok := first[e.UserID]; !ok || e.PostID < p {
				if !ok {
					users = append(users, e.UserID)
				}
				first[e.UserID] = e.PostID
			}
		}
		for _, u := range users {
			if err := s.CheckBadges(ctx, u, first[u], BadgeFirstPost); err != nil {
				return err
			}
		}
		return nil
	})
	event.Subscribe(bus, sub, func(ctx context.Context, e event.ReactionAdded) error {
		if err := s.ReconcilePost(ctx, e.PostID); err != nil {
			return err
		}
		if err := s.CheckBadges(ctx, e.AuthorID, e.PostID, BadgeWelcome, BadgeTenReactions); err != nil {
			return err
		}
		return s.CheckBadges(ctx, e.UserID, e.PostID, BadgeFirstReaction)
	})
	event.Subscribe(bus, sub, func(ctx context.Context, e event.ReactionRemoved) error {
		return s.ReconcilePost(ctx, e.PostID)
	})
	event.Subscribe(bus, sub, func(ctx context.Context, e event.AnswerAccepted) error {
		if err := s.ReconcileTopic(ctx, e.TopicID); err != nil {
			return err
		}
		return s.CheckBadges(ctx, e.AuthorID, e.PostID, BadgeFirstAccepted, BadgeHelpful)
	})
	event.Subscribe(bus, sub, func(ctx context.Context, e event.AnswerUnaccepted) error {
		return s.ReconcileTopic(ctx, e.TopicID)
	})
	event.Subscribe(bus, sub, func(ctx context.Context, e event.PostDeleted) error {
		return s.ReconcilePost(ctx, e.PostID)
	})
	event.Subscribe(bus, sub, func(ctx context.Context, e event.PostRestored) error {
		return s.ReconcilePost(ctx, e.PostID)
	})
	q.Register(jobCheck, func(ctx context.Context, _ []byte) error { return s.CheckAll(ctx) })
	q.Every(jobCheck, s.rep.CheckEvery.Duration)
	q.Register(jobTrust, func(ctx context.Context, _ []byte) error { return s.EvaluateTrust(ctx) })
	q.Every(jobTrust, s.trust.EvaluateEvery.Duration)
}

// CheckAll is the periodic check: points matched again to accepted answers
// and featured topics (taking an answer's mark away publishes no event),
// then every badge for every member.
func (s *Service) CheckAll(ctx context.Context) error {
	if err := s.reconcileDrift(ctx); err != nil {
		return err
	}
	return s.SweepBadges(ctx)
}

// bumpReputation adds delta to a member's reputation.
func bumpReputation(ctx context.Context, tx *gorm.DB, userID int64, delta int) error {
	if delta == 0 {
		return nil
	}
	if err := tx.WithContext(ctx).Exec(`UPDATE users SET reputation = reputation + ? WHERE id = ?`, delta, userID).Error; err != nil {
		return fmt.Errorf("reputation of user %d: %w", userID, err)
	}
	return nil
}
