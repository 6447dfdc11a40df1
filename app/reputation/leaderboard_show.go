package reputation

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"causerie/app/web"
)

// LeaderboardPage is the data of the leaderboard page.
type LeaderboardPage struct {
	Period  string
	Periods []string
	Leaders []Leader
}

func (h *handlers) leaderboard(c echo.Context) error {
	period := c.QueryParam("period")
	if !slices.Contains(Periods, period) {
		period = PeriodWeek
	}
	leaders, err := h.svc.Leaderboard(c.Request().Context(), period)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "reputation/leaderboard", LeaderboardPage{Period: period, Periods: Periods, Leaders: leaders})
}
