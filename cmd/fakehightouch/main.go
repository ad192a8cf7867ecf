// Command fakehightouch serves the in-memory fake of Hightouch's REST API
// that htgit's tests use (internal/hightouch/hightouchtest), seeded from a
// Git Sync folder as Git Sync would ingest it, so that htgit deploy, drift
// and export can be tried without a Hightouch workspace. It is run from a
// clone (go run ./cmd/fakehightouch); releases ship only htgit.
//
// Runs of a triggered sync move one status per poll of its runs (queued,
// querying, processing, success), so deploy --wait finishes at once.
// Writes (deploy --ingest apply) change the fake; nothing is saved.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

const usage = `Usage: go run ./cmd/fakehightouch [--addr HOST:PORT] [FOLDER]

Serves a fake of Hightouch's REST API with the sources and destinations of
FOLDER's manifest and its models and syncs (FOLDER is a Git Sync folder;
without it the fake starts empty), and prints the environment htgit needs:

  go run ./cmd/fakehightouch hightouch &
  export HIGHTOUCH_API_URL=http://127.0.0.1:8765/api/v1 HIGHTOUCH_API_KEY=` + hightouchtest.DefaultAPIKey + `
  htgit drift --path hightouch

Stop it with Ctrl-C (or kill %1). The API key is the fake's own.

Flags:
  --addr HOST:PORT   where to listen (default 127.0.0.1:8765; port 0 picks a free one)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx is done. Exit codes as htgit's: 2 for bad arguments
// or a folder that cannot be ingested.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakehightouch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	addr := fs.String("addr", "127.0.0.1:8765", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "fakehightouch: one Git Sync folder at most, got %d\n\n%s", fs.NArg(), usage)
		return 2
	}
	var folder *hightouchtest.Folder
	if fs.NArg() == 1 {
		var err error
		if folder, err = hightouchtest.ReadFolder(fs.Arg(0)); err != nil {
			fmt.Fprintf(stderr, "fakehightouch: %v\n", err)
			return 2
		}
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "fakehightouch: --addr %s: %v\n", *addr, err)
		return 2
	}
	fake := hightouchtest.New(hightouchtest.WithListener(l))
	defer fake.Close()
	if folder != nil {
		if err := fake.Ingest(folder); err != nil {
			fmt.Fprintf(stderr, "fakehightouch: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "fakehightouch: %d model(s) and %d sync(s) from %s\n", len(folder.Models), len(folder.Syncs), folder.Dir)
	}
	fmt.Fprintf(stdout, "export HIGHTOUCH_API_URL=%s\nexport HIGHTOUCH_API_KEY=%s\n", fake.URL, fake.APIKey)
	fmt.Fprintln(stderr, "fakehightouch: serving; Ctrl-C stops it")
	<-ctx.Done()
	return 0
}
