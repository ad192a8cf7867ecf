// Command htgit checks Hightouch Git Sync workspaces and deploys them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/htgit/htgit/internal/cli"
)

func main() {
	// A runner cancels a job with SIGTERM, a terminal with Ctrl-C: both
	// cancel the context, so a deploy stops and reports what it triggered.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.New(os.Stdin, os.Stdout, os.Stderr).Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
