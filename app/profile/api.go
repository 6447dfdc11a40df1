package profile

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"causerie/app/reputation"
	"causerie/app/user"
)

// APIUser is a member's public profile in the API.
type APIUser struct {
	ID                int64      `json:"id"`
	Username          string     `json:"username"`
	DisplayName       string     `json:"display_name"`
	BioHTML           string     `json:"bio_html"`
	Location          string     `json:"location"`
	Website           string     `json:"website"`
	TrustLevel        int        `json:"trust_level"`
	Reputation        int        `json:"reputation"`
	TopicsCount       int        `json:"topics_count"`
	PostsCount        int        `json:"posts_count"`
	ReactionsReceived int        `json:"reactions_received"`
	AcceptedAnswers   int        `json:"accepted_answers"`
	Badges            []APIBadge `json:"badges"`
	CreatedAt         time.Time  `json:"created_at"`
	LastSeenAt        *time.Time `json:"last_seen_at"`
	URL               string     `json:"url"`
}

// APIBadge is a badge a member holds.
type APIBadge struct {
	Name      string    `json:"name"`
	GrantedAt time.Time `json:"granted_at"`
}

func apiUser(u *user.User, held []reputation.Held) APIUser {
	a := APIUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, BioHTML: u.BioHTML, Location: u.Location,
		Website: u.Website, TrustLevel: u.TrustLevel, Reputation: u.Reputation, TopicsCount: u.TopicsCount,
		PostsCount: u.PostsCount, ReactionsReceived: u.ReactionsReceived, AcceptedAnswers: u.AcceptedAnswers,
		Badges: make([]APIBadge, 0, len(held)), CreatedAt: u.CreatedAt, LastSeenAt: u.LastSeenAt, URL: u.URL()}
	for _, b := range held {
		a.Badges = append(a.Badges, APIBadge{Name: b.Name, GrantedAt: b.GrantedAt})
	}
	return a
}

func (h *handlers) apiShow(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := h.svc.User(ctx, c.Param("username"))
	if err != nil {
		return err
	}
	held, err := h.rep.UserBadges(ctx, u.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiUser(u, held))
}
