// Command causerie serves a Causerie community forum and looks after it:
// migrations, accounts, API tokens. Run `causerie --help` for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"causerie/app/cli"
	"causerie/plugins"
)

func main() {
	// Heap profiling stays off unless [server] pprof_listen serves the
	// profiles (app.New turns it back on then) or GODEBUG=memprofilerate=N
	// asks for it. Sampling kept a table of the sampled stacks, 1.4 MiB of
	// the server's memory once a few thousand stacks had been seen, for
	// profiles nobody could fetch. This is the earliest Go code that can
	// say so: only the package initialisations before it were sampled.
	if !strings.Contains(os.Getenv("GODEBUG"), "memprofilerate=") {
		runtime.MemProfileRate = 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cli.Root(plugins.All()...).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "causerie:", err)
		os.Exit(1)
	}
}
