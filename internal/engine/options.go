package engine

import (
	"cmp"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/deploy"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// Options is everything a run is told: built once, from flags on the command
// line or from a CI host's inputs, then the configuration file. Every field a
// user sets is declared once, in Declared.
type Options struct {
	// Where the workspace is and how it is read.
	Root    string
	Path    string
	Exclude []string
	MaxSize int64
	Strict  bool
	Config  string

	// The change plan and deploy work on, and how Hightouch is reached.
	From          string
	To            string
	All           bool
	FullResync    string
	IncludePaused bool
	Timeout       time.Duration
	APIURL        string
	Debug         bool
	OnDelete      string

	// Deploy's own.
	Ingest        string
	IngestTimeout time.Duration
	Trigger       string
	Wait          bool
	FailOnWarning bool
	WorkspaceSlug string
	Branch        string

	// Workspace is the declared workspace (workspaces: in .htgit.yaml) to
	// plan or compare against.
	Workspace string

	// The CI front end's own (the Action's inputs).
	Command   string
	Annotate  string
	SARIFFile string

	// APIKey is read from the environment (HIGHTOUCH_API_KEY) or a CI
	// host's masked input, never from a flag: it would land in shell history.
	APIKey string

	// Origin is where the options came from: messages name a setting as
	// the user wrote it there.
	Origin Origin
}

// Command names the commands an option belongs to.
type Command uint16

const (
	Validate Command = 1 << iota
	Plan
	Deploy
	Drift
	Export
	// CI is the Action (and any CI front end): it reads inputs, not flags.
	CI
)

// workspaceCommands read and check the workspace.
const workspaceCommands = Validate | Plan | Deploy | Drift | CI

// Option is one setting: a flag of some commands, and an input of the
// Action when Input is set. Its default is written here only.
type Option struct {
	Name string
	// Usage is the flag's help; a `QUOTED` word is its placeholder.
	Usage string
	// Default is the default as a flag would parse it ("" for none).
	Default string
	// CIDefault, when set, is the Action's default instead (the Action waits
	// for runs by default, a command line does not).
	CIDefault string
	// Input is the Action input's description ("" when it is no input).
	Input    string
	Commands Command
	field    func(*Options) any // a pointer to the field the option sets
}

// InputDefault is the option's default as the Action declares it.
func (o Option) InputDefault() string { return cmp.Or(o.CIDefault, o.Default) }

// Declared is every option htgit has, in the order help and action.yml list
// them.
var Declared = []Option{
	{Name: "command", Default: "auto", Commands: CI, field: func(o *Options) any { return &o.Command },
		Input: "What to run: auto (validate and plan on pull requests; validate then deploy on a push to the tracked branch), validate, plan, deploy, or drift (compare the files with Hightouch; fails when they differ)."},
	{Name: "root", Commands: workspaceCommands &^ CI, field: func(o *Options) any { return &o.Root },
		Usage: "repository `DIR` (default: the Git top level, or the working directory outside Git)"},
	{Name: "path", Commands: workspaceCommands, field: func(o *Options) any { return &o.Path },
		Usage: "Git Sync `FOLDER` relative to the root, as configured in Hightouch (default: the folder holding a manifest or models/ and syncs/, found up to 4 levels down)",
		Input: "Git Sync folder relative to the repository root, as configured in Hightouch (default: the folder holding a manifest or models/ and syncs/, found up to 4 levels down)."},
	{Name: "exclude", Commands: workspaceCommands &^ CI, field: func(o *Options) any { return &o.Exclude },
		Usage: "skip files matching `GLOB`, relative to the root or the Git Sync folder (repeatable)"},
	{Name: "max-size", Default: strconv.Itoa(workspace.DefaultMaxSize), Commands: workspaceCommands &^ CI, field: func(o *Options) any { return &o.MaxSize },
		Usage: "largest file to read, in `BYTES`"},
	{Name: "branch", Commands: Deploy | CI, field: func(o *Options) any { return &o.Branch },
		Usage: "the tracked `BRANCH`; deploy refuses to run on another",
		Input: "The tracked branch Hightouch Git Sync follows; deploy runs only on pushes to it. Default: the repository's default branch from the event."},
	{Name: "strict", Default: "false", Commands: workspaceCommands, field: func(o *Options) any { return &o.Strict },
		Usage: "treat warnings as errors (after the configuration's rule levels)",
		Input: "Treat warnings as errors (after the configuration's rule levels)."},
	{Name: "config", Commands: workspaceCommands, field: func(o *Options) any { return &o.Config },
		Usage: "read the configuration from `FILE` (default: " + config.FileName + " at the root, when it exists)",
		Input: "The htgit configuration file, relative to the repository (default " + config.FileName + " at the root, when it exists)."},
	{Name: "annotate", Default: "changed", Commands: CI, field: func(o *Options) any { return &o.Annotate },
		Input: "Which findings become annotations: changed (files changed in the pull request; the rest go to the job summary) or all."},
	{Name: "sarif-file", Commands: CI, field: func(o *Options) any { return &o.SARIFFile },
		Input: "Also write SARIF 2.1.0 to this path (for github/codeql-action/upload-sarif)."},
	{Name: "api-key", Commands: CI, field: func(o *Options) any { return &o.APIKey },
		Input: "Hightouch workspace API key (falls back to the HIGHTOUCH_API_KEY environment variable). Pass it from a secret; it is masked."},
	{Name: "api-url", Commands: Plan | Deploy | Drift | Export | CI, field: func(o *Options) any { return &o.APIURL },
		Usage: "Hightouch API base `URL` (default: the environment variable HIGHTOUCH_API_URL, else " + hightouch.DefaultBaseURL + ")",
		Input: "Hightouch API base URL. Default: the HIGHTOUCH_API_URL environment variable, else " + hightouch.DefaultBaseURL + "."},
	{Name: "ingest", Default: deploy.IngestWait, Commands: Deploy | CI, field: func(o *Options) any { return &o.Ingest },
		Usage: "how the change reaches Hightouch, a `MODE`: wait (Git Sync ingests it), apply (write it through the API) or none",
		Input: "How the change reaches Hightouch: wait (Git Sync ingests it; poll until it shows), apply (create or update through the API), none."},
	{Name: "ingest-timeout", Default: "5m", Commands: Deploy | CI, field: func(o *Options) any { return &o.IngestTimeout },
		Usage: "how long to wait for Git Sync to ingest the change, as a `DURATION`",
		Input: "How long to wait for Git Sync to ingest the change (Go duration)."},
	{Name: "trigger", Default: "changed", Commands: Deploy | CI, field: func(o *Options) any { return &o.Trigger },
		Usage: "which syncs to run, a `MODE`: changed or none",
		Input: "Which syncs to run: changed (changed syncs and syncs of changed models) or none."},
	{Name: "full-resync", Default: plan.ResyncAuto, Commands: Plan | Deploy | CI, field: func(o *Options) any { return &o.FullResync },
		Usage: "full resync `MODE`: never, always or auto (new syncs and changed primary keys)",
		Input: "Ask for a full resync: never, always, or auto (new syncs and syncs whose model's primary key changed)."},
	{Name: "include-paused", Default: "false", Commands: Plan | Deploy | CI, field: func(o *Options) any { return &o.IncludePaused },
		Usage: "also trigger syncs with schedulePaused: true",
		Input: "Trigger syncs with schedulePaused true too."},
	{Name: "wait", Default: "false", CIDefault: "true", Commands: Deploy | CI, field: func(o *Options) any { return &o.Wait },
		Usage: "wait for the runs to finish (on in the Action)",
		Input: "Wait for the triggered runs to finish and fail the step when one fails."},
	{Name: "fail-on-warning", Default: "false", Commands: Deploy | CI, field: func(o *Options) any { return &o.FailOnWarning },
		Usage: "count runs that end with warning as failed",
		Input: "Count a run that ends with warning as failed."},
	{Name: "timeout", Default: "30m", Commands: Plan | Deploy | Drift | Export | CI, field: func(o *Options) any { return &o.Timeout },
		Usage: "bound on the whole command, as a `DURATION`",
		Input: "Bound on the whole deploy (Go duration)."},
	{Name: "all", Default: "false", Commands: Plan | Deploy | CI, field: func(o *Options) any { return &o.All },
		Usage: "treat every sync as changed, without Git (no --from; deploy then triggers every sync)",
		Input: "Treat every sync as changed (for a new branch, or when the previous commit cannot be fetched)."},
	{Name: "from", Commands: Plan | Deploy, field: func(o *Options) any { return &o.From },
		Usage: "`REV` before the change (a push's before)"},
	{Name: "to", Default: "HEAD", Commands: Plan | Deploy, field: func(o *Options) any { return &o.To },
		Usage: "`REV` after the change"},
	{Name: "workspace-slug", Commands: Deploy | CI, field: func(o *Options) any { return &o.WorkspaceSlug },
		Usage: "Hightouch workspace `SLUG`, for links to run pages",
		Input: "Hightouch workspace slug, for links to run pages in the job summary."},
	{Name: "workspace", Commands: Plan | Drift | CI, field: func(o *Options) any { return &o.Workspace },
		Usage: "the declared workspace `NAME` (workspaces: in .htgit.yaml) to plan or compare against (default: plan uses none, drift each whose key is set)",
		Input: "With workspaces declared in .htgit.yaml: the one drift compares, or plan previews against (default: drift checks each whose key is set; a pull request's plan uses the one tracking its base branch)."},
	{Name: "debug", Default: "false", Commands: Plan | Deploy | Drift | Export | CI, field: func(o *Options) any { return &o.Debug },
		Usage: "log every API request (method, path, status, timing; never the key)",
		Input: "Log each API request (method, path, status, timing; never the key)."},
	{Name: "on-delete", Default: deploy.OnDeleteWarn, Commands: Plan | Deploy | CI, field: func(o *Options) any { return &o.OnDelete },
		Usage: "syncs whose files the change deleted or renamed away, a `MODE`: warn (Hightouch keeps running them) or pause them after a successful deploy",
		Input: "Syncs whose files a push deleted or renamed away: warn (Hightouch keeps running them) or pause (pause them in Hightouch once the rest of the deploy succeeded; never when a file with that slug remains)."},
}

// driftTimeout is drift's and export's default bound: they list, they do
// not wait for runs.
const driftTimeout = "5m"

// Lookup returns the declared option name.
func Lookup(name string) (Option, bool) {
	for _, o := range Declared {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}

// Bind registers on fs, for command cmd, a flag for every option cmd takes,
// each setting its field of o; o's fields start at the declared defaults.
func Bind(fs *flag.FlagSet, cmd Command, o *Options) {
	for _, opt := range Declared {
		if opt.Commands&cmd == 0 || opt.Usage == "" {
			continue
		}
		def := opt.Default
		if opt.Name == "timeout" && cmd&(Drift|Export) != 0 {
			def = driftTimeout
		}
		v := value{field: opt.field(o)}
		setDefault(opt, v, def)
		fs.Var(v, opt.Name, opt.Usage)
	}
}

// Defaults are every option's defaults, as a front end that reads no flags
// starts from (the Action: inputs override them one by one); cmd CI takes
// the Action's own defaults.
func Defaults(cmd Command) *Options {
	o := &Options{}
	for _, opt := range Declared {
		def := opt.Default
		if cmd == CI {
			def = opt.InputDefault()
		}
		setDefault(opt, value{field: opt.field(o)}, def)
	}
	return o
}

// setDefault sets v to an option's declared default; a default that does
// not parse is a bug, which TestDeclared catches.
func setDefault(opt Option, v value, def string) {
	if def == "" {
		return
	}
	if err := v.Set(def); err != nil {
		panic(fmt.Sprintf("engine: option %s: default %q: %v", opt.Name, def, err))
	}
}

// SetInput sets the option an Action input names from its text, as the
// flag of that name would parse it.
func (o *Options) SetInput(name, text string) error {
	opt, ok := Lookup(name)
	if !ok || opt.Input == "" {
		return fmt.Errorf("htgit has no input %q", name)
	}
	return value{field: opt.field(o)}.Set(text)
}

// value is a flag.Value over one field of Options, whatever its type.
type value struct{ field any }

func (v value) String() string {
	switch p := v.field.(type) {
	case nil:
		return ""
	case *string:
		return *p
	case *bool:
		return strconv.FormatBool(*p)
	case *int64:
		return strconv.FormatInt(*p, 10)
	case *time.Duration:
		return p.String()
	case *[]string:
		return strings.Join(*p, ",")
	}
	panic(fmt.Sprintf("engine: option of type %T", v.field))
}

func (v value) Set(s string) error {
	switch p := v.field.(type) {
	case *string:
		*p = s
	case *bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		*p = b
	case *int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration; write one such as 30m or 90s", s)
		}
		*p = d
	case *[]string:
		*p = append(*p, s)
	default:
		panic(fmt.Sprintf("engine: option of type %T", v.field))
	}
	return nil
}

// IsBoolFlag lets a boolean option be given as a bare --name.
func (v value) IsBoolFlag() bool { _, ok := v.field.(*bool); return ok }
