package reputation

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm/clause"

	"causerie/app/web"
)

// touchEvery is how often one member's visits are written: their last
// seen time is that precise, and a busy member costs two small writes per
// period rather than per page.
const touchEvery = 5 * time.Minute

// visitCache remembers, per node, when each member's visit was last
// written.
type visitCache struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

func newVisitCache() *visitCache { return &visitCache{last: map[int64]time.Time{}} }

// due says whether a member's visit should be written now, and notes it.
func (c *visitCache) due(userID int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.last[userID]; ok && now.Sub(t) < touchEvery && t.YearDay() == now.YearDay() {
		return false
	}
	if len(c.last) > 100_000 { // forget the lot rather than grow without end
		c.last = map[int64]time.Time{}
	}
	c.last[userID] = now
	return true
}

// TrackVisits is middleware that records, for members browsing with a
// session (not programs with a token), the day of their visit (for trust
// levels) and when they were last seen (shown on their profile). A failure
// is logged: it must not cost the page.
func (s *Service) TrackVisits(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if v := web.Viewer(c); v.LoggedIn() && v.SessionID != "" {
			if now := s.now(); s.visits.due(v.ID, now) {
				if err := s.RecordVisit(c.Request().Context(), v.ID, now); err != nil {
					s.log.Warn("record visit", "user_id", v.ID, "error", err)
				}
			}
		}
		return next(c)
	}
}

// RecordVisit notes that a member came by at a time: the day for trust
// levels, the time as last seen.
func (s *Service) RecordVisit(ctx context.Context, userID int64, at time.Time) error {
	at = at.UTC()
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	g := s.db.WithContext(ctx)
	if err := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&Visit{UserID: userID, Day: day}).Error; err != nil {
		return fmt.Errorf("record visit of user %d: %w", userID, err)
	}
	if err := g.Exec(`UPDATE users SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)`, at, userID, at).Error; err != nil {
		return fmt.Errorf("last seen of user %d: %w", userID, err)
	}
	return nil
}
