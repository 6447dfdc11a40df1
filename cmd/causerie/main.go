// Command causerie serves a Causerie community forum and looks after it:
// migrations, accounts, API tokens. Run `causerie --help` for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"causerie/app/cli"
	"causerie/plugins"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cli.Root(plugins.All()...).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "causerie:", err)
		os.Exit(1)
	}
}
