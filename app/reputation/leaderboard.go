package reputation

import (
	"context"
	"fmt"
	"time"

	"causerie/app/errs"
	"causerie/app/user"
)

// Leaderboard periods.
const (
	PeriodWeek  = "week"
	PeriodMonth = "month"
	PeriodAll   = "all"
)

// Periods lists the leaderboard periods, shortest first.
var Periods = []string{PeriodWeek, PeriodMonth, PeriodAll}

// LeaderboardSize is how many members a leaderboard shows.
const LeaderboardSize = 50

// Leader is one line of the leaderboard.
type Leader struct {
	Rank   int
	User   *user.User
	Points int
}

// Leaderboard returns the members who earned the most points in the last
// 7 days (week), 30 days (month) or ever (all), best first; members with
// no points are left out. Reputation is public, so everyone sees the same
// board.
func (s *Service) Leaderboard(ctx context.Context, period string) ([]Leader, error) {
	type row struct {
		UserID int64
		Points int
	}
	var rows []row
	g := s.db.WithContext(ctx)
	switch period {
	case PeriodAll:
		if err := g.Model(&user.User{}).Select("id AS user_id, reputation AS points").Where("reputation > 0").
			Order("reputation DESC, id").Limit(LeaderboardSize).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("leaderboard: %w", err)
		}
	case PeriodWeek, PeriodMonth:
		days := 7
		if period == PeriodMonth {
			days = 30
		}
		since := s.now().Add(-time.Duration(days) * 24 * time.Hour)
		if err := g.Model(&Event{}).Select("user_id, SUM(points) AS points").Where("created_at >= ?", since).
			Group("user_id").Having("SUM(points) > 0").Order("points DESC, user_id").Limit(LeaderboardSize).
			Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("leaderboard: %w", err)
		}
	default:
		return nil, errs.Fields{"period": "validation.period"}
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	users, err := loadUsers(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Leader, 0, len(rows))
	for _, r := range rows {
		if u := users[r.UserID]; u != nil {
			out = append(out, Leader{Rank: len(out) + 1, User: u, Points: r.Points})
		}
	}
	return out, nil
}
