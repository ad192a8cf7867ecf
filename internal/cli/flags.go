package cli

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/workspace"
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

// workspaceFlags locate and bound the workspace. register is the one place
// for flags validate, plan and deploy share (the Action reads the same
// settings from its inputs, in actionWorkspace).
type workspaceFlags struct {
	root    string
	path    string
	exclude stringList
	maxSize int64
	strict  bool
	config  string
}

func (w *workspaceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&w.root, "root", "", "repository `DIR` (default: the Git top level, or the working directory outside Git)")
	fs.StringVar(&w.path, "path", "", "Git Sync `FOLDER` relative to the root, as configured in Hightouch (default: the root)")
	fs.Var(&w.exclude, "exclude", "skip files matching `GLOB`, relative to the root or the Git Sync folder (repeatable)")
	fs.Int64Var(&w.maxSize, "max-size", workspace.DefaultMaxSize, "largest file to read, in `BYTES`")
	fs.BoolVar(&w.strict, "strict", false, "treat warnings as errors (after the configuration's rule levels)")
	fs.StringVar(&w.config, "config", "", "read the configuration from `FILE` (default: "+config.FileName+" at the root, when it exists)")
}

func (w *workspaceFlags) check() error {
	if w.maxSize < 1 {
		return usagef("--max-size %d: give the largest file size in bytes, 1 or more", w.maxSize)
	}
	return nil
}

// opt names a setting: a flag on the command line, an input in the Action.
func (c *Command) opt(name string) string {
	if c.inAction {
		return "input " + name
	}
	return "--" + name
}

// pass says how to give a setting: a flag on the command line, an input in
// the Action. value is the input's value or the flag's placeholder; "" for
// a boolean.
func (c *Command) pass(name, value string) string {
	if c.inAction {
		return fmt.Sprintf("set the input `%s: %s`", name, cmp.Or(value, "true"))
	}
	return strings.TrimSpace("pass --" + name + " " + value)
}
