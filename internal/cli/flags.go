package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/suggest"
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
			return nil, usagef("%s (see %s --help)", flagError(fs.FlagSet, err), fs.Name())
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

// The flag package's errors, which name a flag with one dash and give no
// expected form for its own types ("parse error").
var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)
	invalidValue  = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-(\S+): (.*)$`)
	needsValue    = regexp.MustCompile(`^flag needs an argument: -+(.+)$`)
)

// flagError says what is wrong with a flag as the user typed it (--name),
// with what was expected.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		out := fmt.Sprintf("unknown flag --%s", m[1])
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if s := suggest.Closest(m[1], names); s != "" {
			out += fmt.Sprintf("; did you mean --%s?", s)
		}
		return out
	}
	if m := needsValue.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("--%s needs a value: %s", m[1], expected(fs.Lookup(m[1]), m[1]))
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		why := m[3]
		if why == "parse error" || why == "value out of range" {
			why = expected(fs.Lookup(m[2]), m[2])
		}
		return fmt.Sprintf("--%s %s: %s", m[2], m[1], why)
	}
	return msg
}

// expected is the form a flag's value takes, from its placeholder.
func expected(f *flag.Flag, name string) string {
	if f == nil {
		return "see the command's --help"
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return fmt.Sprintf("write --%s, or --%s=true or --%s=false", name, name, name)
	}
	placeholder, _ := flag.UnquoteUsage(f)
	return fmt.Sprintf("write --%s %s", name, placeholder)
}

// choice is a flag whose value is one of a list, refused when parsed, so
// every command answers a wrong value the same way.
type choice struct {
	value   string
	choices []string
}

func (c *choice) String() string { return c.value }
func (c *choice) Set(v string) error {
	if !slices.Contains(c.choices, v) {
		return choiceError(v, c.choices)
	}
	c.value = v
	return nil
}

// choiceError says which values a flag takes, and the one meant.
func choiceError(v string, choices []string) error {
	msg := "choose " + orList(choices)
	if s := suggest.Closest(v, choices); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	return errors.New(msg)
}

// orList is "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// formatFlag registers --format, one of choices (the first is the default).
func formatFlag(fs *flagSet, choices ...string) *string {
	c := &choice{value: choices[0], choices: choices}
	fs.Var(c, "format", "output `FORMAT`: "+orList(choices))
	return &c.value
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
