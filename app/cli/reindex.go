package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"causerie/app"
	"causerie/app/search"
)

func (o *options) reindexCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the search index from the database",
		Long: `Rebuild the full-text search index (the folder search.bleve in the data
folder) from the database: every published post of every published topic.
It shows a progress bar with the rate in posts per second, builds the new
index beside the old one, merges it into one segment (so the server does
not spend its first minutes merging it) and swaps them when it is
complete, so an interrupted run leaves the old index as it was.

The index keeps itself in step with the forum through background jobs, and
a server that finds its index missing or unreadable rebuilds it by itself
while it serves (search pages say it is catching up). Run this after
restoring a database backup, after "causerie seed --index=false", or when
search results look wrong.

The server holds the index while it runs: stop it first (this command says
so if it is running), or delete the search.bleve folder and restart it.

  causerie reindex`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			return reindex(cmd, a)
		},
	}
}

// reindex builds the search index anew with a progress bar and says how
// fast it went: `causerie reindex`, and `causerie seed` once it has filled
// the forum.
func reindex(cmd *cobra.Command, a *app.App) error {
	var bar *progressbar.ProgressBar
	progress := func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
				progressbar.OptionSetDescription("indexing"), progressbar.OptionShowCount(),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("posts"),
				progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetPredictTime(true),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(cmd.ErrOrStderr()) }), progressbar.OptionFullWidth())
		}
		_ = bar.Set64(done)
	}
	n, took, err := a.Search.Rebuild(cmd.Context(), progress)
	if errors.Is(err, search.ErrLocked) {
		return fmt.Errorf("%w: stop the server first, or delete %s and restart the server, which rebuilds it while serving",
			err, search.IndexDir(a.Config.Data.Dir))
	}
	if err != nil {
		return err
	}
	if bar != nil {
		_ = bar.Finish()
	}
	rate := 0.0
	if took > 0 {
		rate = float64(n) / took.Seconds()
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Indexed %d posts in %s (%.0f posts/s); the index takes %.1f MiB.\n",
		n, took.Round(time.Millisecond), rate, float64(a.Search.Size())/(1<<20))
	return nil
}
