// Command htgit checks Hightouch Git Sync workspaces and deploys them.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/htgit/htgit/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.New(os.Stdin, os.Stdout, os.Stderr).Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
