package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/htgit/htgit/internal/engine"
)

// flagSet is the one constructor of every subcommand's flags. The flag
// package's own printing is silenced: help goes to stdout (exit 0) and a
// bad flag is reported once, by Run.
func (c *Command) flagSet(name, synopsis, about string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("htgit "+name, flag.ContinueOnError)}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the flag package calls it on errors too
	fs.help = func() {
		w := c.Stdout
		fmt.Fprintf(w, "Usage: htgit %s", name)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(w, " [flags]")
		}
		if synopsis != "" {
			fmt.Fprint(w, " "+synopsis)
		}
		fmt.Fprintf(w, "\n\n%s\n", about)
		if hasFlags {
			fmt.Fprintln(w, "\nFlags:")
			printFlags(w, fs.FlagSet)
		}
	}
	return fs
}

// flagSet is a subcommand's flags and its help.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// printFlags lists flags GNU-style (--exclude GLOB), the placeholder taken
// from the usage's `quoted` word as flag.UnquoteUsage does.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		placeholder, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if placeholder != "" {
			line += " " + placeholder
		}
		if def := f.DefValue; def != "" && def != "false" && def != "[]" {
			text += fmt.Sprintf(" (default %s)", def)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, text)
	})
}

// parse parses flags that may come before, between or after positional
// arguments (pre-commit appends file names after the hook's args).
func parse(fs *flagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, err
			}
			return nil, usagef("%v (see %s --help)", err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseNone parses a command that takes flags but no arguments.
func parseNone(fs *flagSet, args []string) error {
	rest, err := parse(fs, args)
	if err == nil && len(rest) > 0 {
		err = usagef("%s takes no arguments (got %q)", fs.Name(), rest[0])
	}
	return err
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// engine binds the options command cmd takes to fs; after fs is parsed,
// the returned engine runs with them.
func (c *Command) engine(fs *flagSet, cmd engine.Command) *engine.Engine {
	e := &engine.Engine{Getenv: c.Getenv, Dir: c.Dir, Log: c.Stdout, Notes: c.Stderr, Version: Version()}
	engine.Bind(fs.FlagSet, cmd, &e.Opts)
	return e
}
