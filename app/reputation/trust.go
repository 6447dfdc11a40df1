package reputation

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"causerie/app/auth"
	"causerie/app/config"
	"causerie/app/errs"
	"causerie/app/event"
	"causerie/app/user"
)

// Stats is what trust levels are judged on, totals since the member joined.
type Stats struct {
	UserID            int64
	TrustLevel        int
	DaysVisited       int
	TopicsEntered     int // topics opened (a row in topic_reads)
	PostsRead         int // the sum of how far each topic was read
	ReactionsReceived int
	ReactionsGiven    int
	// FlagsAgainst counts flags against the member's posts that staff
	// upheld; flags come with moderation, so it is 0 until then.
	FlagsAgainst int
}

// statsQuery reads Stats for members, filtered by the caller.
const statsQuery = `SELECT u.id AS user_id, u.trust_level, u.reactions_received, u.reactions_given,
	(SELECT COUNT(*) FROM user_visits v WHERE v.user_id = u.id) AS days_visited,
	(SELECT COUNT(*) FROM topic_reads r WHERE r.user_id = u.id) AS topics_entered,
	(SELECT COALESCE(SUM(r.last_number), 0) FROM topic_reads r WHERE r.user_id = u.id) AS posts_read
	FROM users u`

// Stats returns a member's trust statistics.
func (s *Service) Stats(ctx context.Context, userID int64) (Stats, error) {
	var st []Stats
	if err := s.db.WithContext(ctx).Raw(statsQuery+` WHERE u.id = ?`, userID).Scan(&st).Error; err != nil {
		return Stats{}, fmt.Errorf("trust stats of user %d: %w", userID, err)
	}
	if len(st) == 0 {
		return Stats{}, user.ErrNotFound
	}
	return st[0], nil
}

// Reached is the highest automatic level (up to TrustRegular) whose rules,
// and every lower level's, the stats meet.
func Reached(rules [3]config.TrustRule, st Stats) int {
	level := auth.TrustNew
	for i, r := range rules {
		if st.DaysVisited < r.DaysVisited || st.TopicsEntered < r.TopicsEntered || st.PostsRead < r.PostsRead ||
			st.ReactionsReceived < r.ReactionsReceived || st.ReactionsGiven < r.ReactionsGiven || st.FlagsAgainst > r.MaxFlagsAgainst {
			break
		}
		level = i + 1
	}
	return level
}

// trustBatch is how many members one query of EvaluateTrust reads.
const trustBatch = 500

// EvaluateTrust is the periodic job: it promotes every member whose stats
// reach a higher level than theirs. It never demotes (a member keeps what
// they earned; staff can lower a level by hand) and leaves locked levels
// alone. Each promotion publishes TrustLevelChanged, so the member is told.
// Running it twice promotes nobody twice.
func (s *Service) EvaluateTrust(ctx context.Context) error {
	rules := s.trust.Rules()
	var after int64
	for {
		var batch []Stats
		err := s.db.WithContext(ctx).Raw(statsQuery+` WHERE u.trust_locked = ? AND u.trust_level < ? AND u.id > ? ORDER BY u.id LIMIT ?`,
			false, auth.TrustRegular, after, trustBatch).Scan(&batch).Error
		if err != nil {
			return fmt.Errorf("trust stats: %w", err)
		}
		for _, st := range batch {
			if to := Reached(rules, st); to > st.TrustLevel {
				if err := s.promote(ctx, st.UserID, st.TrustLevel, to); err != nil {
					return err
				}
			}
		}
		if len(batch) < trustBatch {
			return nil
		}
		after = batch[len(batch)-1].UserID
	}
}

// promote moves a member from one level to a higher one, unless staff
// locked or changed it meanwhile.
func (s *Service) promote(ctx context.Context, userID int64, from, to int) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&user.User{}).Where("id = ? AND trust_level = ? AND trust_locked = ?", userID, from, false).
			Update("trust_level", to)
		if res.Error != nil {
			return fmt.Errorf("promote user %d: %w", userID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return s.events.PublishTx(ctx, tx, event.TrustLevelChanged{UserID: userID, Level: to})
	})
}

// SetTrust is staff setting a member's trust level by hand, locked (the
// periodic job leaves it alone) or not (the job may promote from there).
// A change of level publishes TrustLevelChanged.
func (s *Service) SetTrust(ctx context.Context, v *auth.Viewer, userID int64, level int, locked bool) error {
	if !auth.CanSetTrust(v) {
		return errs.New(errs.Forbidden, "error.http_403", nil)
	}
	if level < auth.TrustNew || level > auth.TrustLeader {
		return errs.Fields{"level": "validation.trust_level"}
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u user.User
		switch err := tx.Select("id", "trust_level").Take(&u, userID).Error; {
		case errors.Is(err, gorm.ErrRecordNotFound):
			return user.ErrNotFound
		case err != nil:
			return fmt.Errorf("user %d: %w", userID, err)
		}
		if err := tx.Model(&user.User{}).Where("id = ?", userID).
			Updates(map[string]any{"trust_level": level, "trust_locked": locked}).Error; err != nil {
			return fmt.Errorf("set trust level of user %d: %w", userID, err)
		}
		if u.TrustLevel == level {
			return nil
		}
		return s.events.PublishTx(ctx, tx, event.TrustLevelChanged{UserID: userID, Level: level})
	})
}
