// Package site serves what belongs to no domain: the home page, the probes
// (/healthz, /readyz), the Prometheus metrics and the OpenAPI document.
package site

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"causerie/app/web"
)

// Setup says whether the first-run page must still be offered.
type Setup interface {
	SetupNeeded(ctx context.Context) (bool, error)
}

type handlers struct {
	ping  func(context.Context) error
	setup Setup
}

// Routes registers the site-wide pages.
func Routes(s *web.Server, reg *prometheus.Registry, ping func(context.Context) error, setup Setup) {
	h := &handlers{ping: ping, setup: setup}
	s.Use(h.firstRun)
	s.GET("/healthz", h.healthz)                                                          // anyone: the process answers
	s.GET("/readyz", h.readyz)                                                            // anyone: the database answers
	s.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))) // scrapers
	s.GET("/api/v1/openapi.json", openAPI)                                                // anyone
}

// firstRun sends visitors of the home page to the setup page while the
// forum has no administrator.
func (h *handlers) firstRun(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.Path != "/" || c.Request().Method != http.MethodGet {
			return next(c)
		}
		needed, err := h.setup.SetupNeeded(c.Request().Context())
		if err != nil {
			return err
		}
		if needed {
			return c.Redirect(http.StatusSeeOther, "/setup")
		}
		return next(c)
	}
}

func (h *handlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handlers) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := h.ping(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}
