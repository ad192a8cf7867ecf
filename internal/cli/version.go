package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X github.com/htgit/htgit/internal/cli.version=v1.2.3".
var version string

// Version is htgit's version: the ldflags value, else the module version
// from the build info (go install ...@v1.2.3), else "devel".
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

func (c *Command) version(_ context.Context, args []string) error {
	fs := c.flagSet("version", "", "Prints htgit's version.")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout, "htgit", Version())
	return nil
}
