package app_test

import (
	"context"
	"io"
	"log/slog"

	"causerie/app"
	"causerie/app/config"
)

func newApp(ctx context.Context, cfg config.Config) (*app.App, error) {
	return app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
}
