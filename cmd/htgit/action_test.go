package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
	"github.com/htgit/htgit/internal/report/reporttest"
)

// The end-to-end tests of `htgit action` run the built binary as the Actions
// runner runs a Docker action: in the checkout (GITHUB_WORKSPACE), with the
// event payload at GITHUB_EVENT_PATH, every input of action.yml as
// INPUT_<NAME>, and the runner's files for outputs and the job summary. What
// it printed is read back with the runner's parsing rules.

// ghCommand is one workflow command, as the runner parses it.
type ghCommand struct {
	name  string
	props map[string]string
	data  string
}

// The runner unescapes in this order, "%25" last, so "%250A" is "%0A".
func unescapeData(s string) string { return unescape(s, "%0D", "\r", "%0A", "\n", "%25", "%") }

func unescapeProperty(s string) string {
	return unescape(s, "%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")
}

// unescape replaces each pair in turn over the whole string, as the runner's
// loop over its escape mappings does.
func unescape(s string, pairs ...string) string {
	for i := 0; i < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}

// parseCommand parses a line as the runner does: after leading white space,
// "::name k=v,k=v::data"; properties without a value are dropped.
func parseCommand(line string) (ghCommand, bool) {
	s := strings.TrimLeftFunc(line, unicode.IsSpace)
	if !strings.HasPrefix(s, "::") {
		return ghCommand{}, false
	}
	end := strings.Index(s[2:], "::")
	if end < 0 {
		return ghCommand{}, false
	}
	section, data := s[2:2+end], s[2+end+2:]
	c := ghCommand{props: map[string]string{}, data: unescapeData(data)}
	name, props, ok := strings.Cut(section, " ")
	c.name = name
	if ok {
		for _, p := range strings.Split(strings.TrimSpace(props), ",") {
			k, v, ok := strings.Cut(p, "=")
			if ok && k != "" && v != "" {
				c.props[k] = unescapeProperty(v)
			}
		}
	}
	return c, c.name != ""
}

// actionRun is one run of `htgit action` and what it left for the runner.
type actionRun struct {
	runnerRun
	commands []ghCommand // the workflow commands, in order
	log      []string    // every other line of stdout
}

// annotations are the ::error and ::warning commands of findings (titled
// "htgit: RULE"; "htgit" alone is a note about the run, such as a comment
// the API refused).
func (a actionRun) annotations() []ghCommand {
	var out []ghCommand
	for _, c := range a.commands {
		if (c.name == "error" || c.name == "warning") && c.props["title"] != failureTitle && c.props["title"] != "htgit" {
			out = append(out, c)
		}
	}
	return out
}

// failureTitle is the title of the annotation saying why the step failed.
const failureTitle = "htgit failed"

// failures are the annotations saying why the step failed.
func (a actionRun) failures() []string {
	var out []string
	for _, c := range a.commands {
		if c.name == "error" && c.props["title"] == failureTitle {
			out = append(out, c.data)
		}
	}
	return out
}

// checkFailure checks how a step that fails for want (not findings) shows
// it: one error annotation with the message, and a job summary section at
// the top saying what failed and what to do; stderr says it too.
func checkFailure(t *testing.T, a actionRun, code int, want string) {
	t.Helper()
	if a.code != code {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", a.code, code, a.stdout, a.stderr)
	}
	if f := a.failures(); len(f) != 1 || !strings.Contains(f[0], want) {
		t.Errorf("failure annotations %q, want one with %q\nstdout:\n%s", f, want, a.stdout)
	}
	head := fmt.Sprintf("## htgit\n\n### htgit failed (exit %d)\n\n> ", code)
	if !strings.HasPrefix(a.summary, head) || !strings.Contains(a.summary, want) || !strings.Contains(a.summary, "**What to do:** "+todo[code]) {
		t.Errorf("the summary does not start with %q, naming %q and what to do (%q):\n%s", head, want, todo[code], a.summary)
	}
	if strings.Contains(a.summary, "No problems found.\n") {
		t.Errorf("the summary of a failed step says no problems were found:\n%s", a.summary)
	}
	if !strings.Contains(a.stderr, want) {
		t.Errorf("stderr %q lacks %q", a.stderr, want)
	}
}

// todo is the advice each exit code gets in the summary (the start of it).
var todo = map[int]string{
	1: "fix the findings listed here",
	2: "correct the workflow's inputs, the event or the repository as the message says",
	3: "this is a bug or a failure of the runner's environment",
	4: "Hightouch could not be reached or answered wrongly",
}

func (a actionRun) named(name string) []ghCommand {
	var out []ghCommand
	for _, c := range a.commands {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// pullRequest is a checkout of a pull request.
type pullRequest struct {
	dir        string // the checkout: GITHUB_WORKSPACE
	origin     string // the repository with main and the pr branch
	base, head string // pull_request.base.sha and head.sha
}

// prSpec describes a pull request on a copy of the example workspace.
type prSpec struct {
	sub     string            // Git Sync folder of the example ("" for the root)
	base    map[string]string // also on main before the branch
	renames map[string]string // old -> new path, in the pull request
	change  map[string]string // written in the pull request ("" deletes)
	// mainAfter is committed on main after the branch: the checkout is then
	// the merge commit GitHub builds (refs/pull/N/merge), as actions/checkout
	// checks out for pull_request events.
	mainAfter map[string]string
}

func newPullRequest(t *testing.T, spec prSpec) pullRequest {
	t.Helper()
	dir, _ := newRepo(t, spec.sub)
	base := gittest.Commit(t, dir, "base", spec.base)
	gittest.Run(t, dir, "checkout", "-q", "-b", "pr")
	for old, new := range spec.renames {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, new)), 0o755); err != nil {
			t.Fatal(err)
		}
		gittest.Run(t, dir, "mv", old, new)
	}
	head := gittest.Commit(t, dir, "the change", spec.change)
	pr := pullRequest{dir: dir, origin: dir, base: base, head: head}
	if spec.mainAfter != nil {
		gittest.Run(t, dir, "checkout", "-q", "main")
		pr.base = gittest.Commit(t, dir, "meanwhile on main", spec.mainAfter)
		gittest.Run(t, dir, "checkout", "-q", "--detach", "main")
		gittest.Run(t, dir, "merge", "-q", "--no-ff", "--no-edit", "pr")
	}
	gittest.Run(t, dir, "update-ref", "refs/pull/7/merge", "HEAD")
	return pr
}

// payload is GitHub's example pull_request webhook with this pull
// request's commits and repository substituted.
func (pr pullRequest) payload(t *testing.T) []byte {
	t.Helper()
	return payload(t, "pull_request_opened.payload.json", func(p map[string]any) {
		p["number"] = 7
		repo := p["repository"].(map[string]any)
		repo["full_name"], repo["name"], repo["default_branch"] = "acme/warehouse", "warehouse", "main"
		pull := p["pull_request"].(map[string]any)
		pull["number"] = 7
		base, head := pull["base"].(map[string]any), pull["head"].(map[string]any)
		base["sha"], base["ref"] = pr.base, "main"
		head["sha"], head["ref"] = pr.head, "pr"
	})
}

// runAction runs `htgit action` in the checkout with the inputs of with
// (others at their action.yml defaults) and extra environment.
func runAction(t *testing.T, pr pullRequest, with, extra map[string]string) actionRun {
	t.Helper()
	ev := runnerEvent{name: "pull_request", payload: pr.payload(t), workspace: pr.dir,
		ref: "refs/pull/7/merge", sha: gittest.Run(t, pr.dir, "rev-parse", "HEAD")}
	a := actionRun{runnerRun: runAsRunner(t, ev, runnerInputs(t, with), extra)}
	for _, l := range strings.Split(strings.TrimSuffix(a.stdout, "\n"), "\n") {
		if c, ok := parseCommand(l); ok {
			a.commands = append(a.commands, c)
		} else {
			a.log = append(a.log, l)
		}
	}
	checkAnnotations(t, a)
	return a
}

// checkAnnotations checks what every annotation must satisfy: a relative
// file with forward slashes, a title naming the rule, never line=0, columns
// only on a one-line range.
func checkAnnotations(t *testing.T, a actionRun) {
	t.Helper()
	for _, c := range a.annotations() {
		p := c.props
		if f := p["file"]; f == "" || filepath.IsAbs(f) || strings.HasPrefix(f, "/") || strings.Contains(f, `\`) || strings.HasPrefix(f, "../") {
			t.Errorf("annotation file %q: want a path relative to GITHUB_WORKSPACE with /", f)
		}
		if !strings.HasPrefix(p["title"], "htgit: ") {
			t.Errorf("annotation title %q", p["title"])
		}
		for _, k := range []string{"line", "endLine", "col", "endColumn"} {
			if v, ok := p[k]; ok {
				if n, err := strconv.Atoi(v); err != nil || n < 1 {
					t.Errorf("annotation %s=%q: want a number from 1", k, v)
				}
			}
		}
		if _, ok := p["line"]; !ok && (p["col"] != "" || p["endLine"] != "") {
			t.Errorf("annotation with a column or end line but no line: %v", p)
		}
		if p["endLine"] != "" && p["endLine"] != p["line"] && (p["col"] != "" || p["endColumn"] != "") {
			t.Errorf("annotation over lines %s-%s has columns: %v", p["line"], p["endLine"], p)
		}
		for k := range p {
			switch k {
			case "file", "line", "endLine", "col", "endColumn", "title":
			default:
				t.Errorf("annotation property %q is not one GitHub knows", k)
			}
		}
	}
}

// ann is an expected annotation; zero numbers are absent properties.
type ann struct {
	level, file                string
	line, col, endLine, endCol int
	rule                       string
	msg                        string // a substring of the message
}

func (w ann) String() string {
	return fmt.Sprintf("%s %s:%d:%d-%d:%d %s %q", w.level, w.file, w.line, w.col, w.endLine, w.endCol, w.rule, w.msg)
}

func gotAnn(c ghCommand) string {
	n := func(k string) int { v, _ := strconv.Atoi(c.props[k]); return v }
	return ann{c.name, c.props["file"], n("line"), n("col"), n("endLine"), n("endColumn"),
		strings.TrimPrefix(c.props["title"], "htgit: "), c.data}.String()
}

func checkAnns(t *testing.T, got []ghCommand, want []ann) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		w, c := want[i], got[i]
		n := func(k string, v int) bool {
			s, has := c.props[k]
			return v == 0 && !has || s == strconv.Itoa(v)
		}
		ok = c.name == w.level && c.props["file"] == w.file && n("line", w.line) && n("col", w.col) &&
			n("endLine", w.endLine) && n("endColumn", w.endCol) && c.props["title"] == "htgit: "+w.rule &&
			strings.Contains(c.data, w.msg)
	}
	if !ok {
		var g, ws []string
		for _, c := range got {
			g = append(g, gotAnn(c))
		}
		for _, w := range want {
			ws = append(ws, w.String())
		}
		t.Errorf("annotations:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(ws, "\n  "))
	}
}

// findingRows are the rows of the summary's findings table.
var findingRow = regexp.MustCompile(`(?m)^\| .* \| (error|warning) \| [a-z-]+ \| .* \|$`)

// checkRun checks what every pull request run must give: the annotations,
// the outputs, a row per finding, the exit code.
func checkRun(t *testing.T, a actionRun, code int, outputs map[string]string) {
	t.Helper()
	if a.code != code {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", a.code, code, a.stdout, a.stderr)
	}
	if outputs != nil && !reflect.DeepEqual(a.outputs, outputs) {
		t.Errorf("outputs %q, want %q", a.outputs, outputs)
	}
	e, _ := strconv.Atoi(a.outputs["errors"])
	w, _ := strconv.Atoi(a.outputs["warnings"])
	if rows := findingRow.FindAllString(a.summary, -1); len(rows) != e+w && !strings.Contains(a.summary, "findings not shown") {
		t.Errorf("the summary has %d finding rows, want %d:\n%s", len(rows), e+w, a.summary)
	}
	head := fmt.Sprintf("| %d | %d | %s |", e, w, a.outputs["files"])
	if !strings.Contains(a.summary, head) {
		t.Errorf("the summary lacks the counts %q:\n%s", head, a.summary)
	}
}

// brokenCron is the example's Salesforce sync with a 4-field cron
// expression: an error at 22:17-22:26.
func brokenCron(t *testing.T) string {
	return example(t, "syncs/accounts-to-salesforce.yaml", `"0 6 * * 1-5"`, `"0 6 * *"`)
}

// badSync has an error (a 4-field cron, 14:17-14:28) and a warning (an
// unknown key, 3:1-3:6).
const badSync = `model: accounts
destination: hubspot
bogus: 1
config:
  mode: upsert
  object: companies
  mappings:
    - from: domain
      to: domain
      type: standard
schedule:
  type: cron
  schedule:
    expression: "0 6 * 1%2"
schedulePaused: false
`

var (
	cronError = func(file string) ann {
		return ann{"error", file, 22, 17, 22, 26, "sync-schedule-cron", `cron expression "0 6 * *": has 4 fields`}
	}
	retireAdvice = "the sync keeps running on its schedule. To retire it: set schedulePaused: true, merge, then delete it in Hightouch"
)

func TestActionPullRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		spec    prSpec
		with    map[string]string
		code    int
		outputs map[string]string
		anns    []ann
		notice  string   // the notice's message; "" for none
		summary []string // substrings; {HEAD} and {BASE} are the shas
		stdout  []string // raw substrings of stdout; for exit 2, of stderr
	}{
		{
			name: "a broken sync, a deleted sync and a renamed sync",
			spec: prSpec{
				renames: map[string]string{"syncs/customers-to-hubspot.yaml": "syncs/customers-to-hubspot-v2.yaml"},
				change: map[string]string{
					"syncs/accounts-to-salesforce.yaml":       brokenCron(t),
					"syncs/accounts-backfill-to-hubspot.yaml": "",
				},
			},
			code:    1,
			outputs: map[string]string{"errors": "1", "warnings": "2", "files": "7"},
			anns: []ann{
				cronError("syncs/accounts-to-salesforce.yaml"),
				{"warning", "syncs/accounts-backfill-to-hubspot.yaml", 0, 0, 0, 0, "change-deleted",
					`sync "accounts-backfill-to-hubspot" is deleted here but Hightouch will not delete it; ` + retireAdvice},
				{"warning", "syncs/customers-to-hubspot-v2.yaml", 1, 1, 1, 1, "change-renamed",
					`renamed from syncs/customers-to-hubspot.yaml: Hightouch will create a new sync "customers-to-hubspot-v2" and keep the old "customers-to-hubspot", which keeps running on its schedule`},
			},
			summary: []string{
				"| Errors | Warnings | Files | Models | Syncs |", "| 1 | 2 | 7 | 3 | 3 |",
				"### Deleted resources",
				"To retire a sync: set `schedulePaused: true`, merge, then delete it in Hightouch.",
				"- sync `accounts-backfill-to-hubspot` (syncs/accounts-backfill-to-hubspot.yaml, deleted)",
				"- sync `customers-to-hubspot` (syncs/customers-to-hubspot.yaml, renamed away)",
				"### Findings",
				"| [syncs/accounts-to-salesforce.yaml:22:17](https://github.com/acme/warehouse/blob/{HEAD}/syncs/accounts-to-salesforce.yaml#L22) | error | sync-schedule-cron | cron expression",
				"| [syncs/customers-to-hubspot-v2.yaml:1:1](https://github.com/acme/warehouse/blob/{HEAD}/syncs/customers-to-hubspot-v2.yaml#L1) | warning | change-renamed |",
				"### What merging does",
				"| sync | `accounts-to-salesforce` | modified |",
				"| sync | `customers-to-hubspot-v2` | renamed (from customers-to-hubspot; Hightouch keeps customers-to-hubspot) |",
			},
			stdout: []string{
				"::group::syncs/accounts-to-salesforce.yaml (1 error)\nsyncs/accounts-to-salesforce.yaml:22:17: error: cron expression",
				"\n::endgroup::\n",
			},
		},
		{
			// The syncs are not in the change, but the model they read is:
			// their errors are annotated with annotate: changed.
			name:    "a deleted model that syncs still read",
			spec:    prSpec{change: map[string]string{"models/accounts.yaml": ""}},
			code:    1,
			outputs: map[string]string{"errors": "2", "warnings": "1", "files": "7"},
			anns: []ann{
				{"error", "syncs/accounts-backfill-to-hubspot.yaml", 1, 8, 1, 16, "sync-model-ref", `model "accounts" is not a model slug in this workspace (no models/accounts.yaml)`},
				{"error", "syncs/accounts-to-salesforce.yaml", 1, 8, 1, 16, "sync-model-ref", `model "accounts" is not a model slug`},
				{"warning", "models/accounts.yaml", 0, 0, 0, 0, "change-deleted", `model "accounts" is deleted here but Hightouch will not delete it; delete the model in Hightouch once no sync uses it`},
			},
			summary: []string{"| 2 | 1 | 7 | 2 | 4 |", "- model `accounts` (models/accounts.yaml, deleted)"},
		},
		{
			name: "a renamed model with its sync updated and a deleted sync: warnings only",
			spec: prSpec{
				renames: map[string]string{"models/dim-customers.yaml": "models/customers.yaml"},
				change: map[string]string{
					"syncs/customers-to-hubspot.yaml":         example(t, "syncs/customers-to-hubspot.yaml", "model: dim-customers", "model: customers"),
					"syncs/accounts-backfill-to-hubspot.yaml": "",
				},
			},
			code:    0,
			outputs: map[string]string{"errors": "0", "warnings": "2", "files": "7"},
			anns: []ann{
				{"warning", "models/customers.yaml", 1, 1, 1, 1, "change-renamed", `renamed from models/dim-customers.yaml: Hightouch will create a new model "customers" and keep the old "dim-customers"; delete the old model in Hightouch once no sync uses it`},
				{"warning", "syncs/accounts-backfill-to-hubspot.yaml", 0, 0, 0, 0, "change-deleted", retireAdvice},
			},
			summary: []string{"| 0 | 2 | 7 | 3 | 3 |", "- model `dim-customers` (models/dim-customers.yaml, renamed away)",
				"| model | `customers` | renamed (from dim-customers; Hightouch keeps dim-customers) |"},
		},
		{
			name: "strict makes the change warnings errors",
			spec: prSpec{change: map[string]string{"syncs/accounts-backfill-to-hubspot.yaml": ""}},
			with: map[string]string{"strict": "true"},
			code: 1, outputs: map[string]string{"errors": "1", "warnings": "0", "files": "7"},
			anns: []ann{{"error", "syncs/accounts-backfill-to-hubspot.yaml", 0, 0, 0, 0, "change-deleted", retireAdvice}},
		},
		{
			name: "a Git Sync subfolder",
			spec: prSpec{sub: "hightouch", change: map[string]string{
				"hightouch/syncs/accounts-to-salesforce.yaml": brokenCron(t),
				"README.md": "not part of the workspace\n",
			}},
			with:    map[string]string{"path": "hightouch"},
			code:    1,
			outputs: map[string]string{"errors": "1", "warnings": "0", "files": "8"},
			anns:    []ann{cronError("hightouch/syncs/accounts-to-salesforce.yaml")},
			summary: []string{"| [hightouch/syncs/accounts-to-salesforce.yaml:22:17](https://github.com/acme/warehouse/blob/{HEAD}/hightouch/syncs/accounts-to-salesforce.yaml#L22) | error |"},
			stdout:  []string{"::group::hightouch/syncs/accounts-to-salesforce.yaml (1 error)\n"},
		},
		{
			// GitHub checks out the merge commit; what main did since the
			// branch is not the pull request's: summary only.
			name: "the merge commit, annotate changed",
			spec: prSpec{
				change:    map[string]string{"syncs/accounts-to-salesforce.yaml": brokenCron(t)},
				mainAfter: map[string]string{"syncs/a-main.yaml": badSync},
			},
			code:    1,
			outputs: map[string]string{"errors": "2", "warnings": "1", "files": "9"},
			anns:    []ann{cronError("syncs/accounts-to-salesforce.yaml")},
			notice:  "2 more findings (1 error, 1 warning) are not annotated: 2 in files this change does not touch. The job summary and the log below list every finding.",
			summary: []string{"[syncs/a-main.yaml:14:17]", "[syncs/a-main.yaml:3:1]"},
		},
		{
			name: "the merge commit, annotate all: the change first",
			spec: prSpec{
				change:    map[string]string{"syncs/accounts-to-salesforce.yaml": brokenCron(t)},
				mainAfter: map[string]string{"syncs/a-main.yaml": badSync},
			},
			with:    map[string]string{"annotate": "all"},
			code:    1,
			outputs: map[string]string{"errors": "2", "warnings": "1", "files": "9"},
			anns: []ann{
				cronError("syncs/accounts-to-salesforce.yaml"),
				{"error", "syncs/a-main.yaml", 14, 17, 14, 28, "sync-schedule-cron", `cron expression "0 6 * 1%2"`},
				{"warning", "syncs/a-main.yaml", 3, 1, 3, 6, "schema-unknown-key", "unknown key `bogus`"},
			},
		},
		{
			// all: true skips Git: every file counts as changed.
			name: "the merge commit, all: true",
			spec: prSpec{
				change:    map[string]string{"syncs/accounts-to-salesforce.yaml": brokenCron(t)},
				mainAfter: map[string]string{"syncs/a-main.yaml": badSync},
			},
			with:    map[string]string{"all": "true"},
			code:    1,
			outputs: map[string]string{"errors": "2", "warnings": "1", "files": "9"},
			anns: []ann{
				{"error", "syncs/a-main.yaml", 14, 17, 14, 28, "sync-schedule-cron", `cron expression "0 6 * 1%2"`},
				cronError("syncs/accounts-to-salesforce.yaml"),
				{"warning", "syncs/a-main.yaml", 3, 1, 3, 6, "schema-unknown-key", "unknown key `bogus`"},
			},
		},
		{
			name: "names and messages the runner needs escaped",
			spec: prSpec{change: map[string]string{
				"syncs/50%,a:b.yaml": example(t, "syncs/accounts-backfill-to-hubspot.yaml"),
				"syncs/z01.yaml":     badSync,
				"syncs/z02.yaml":     strings.Replace(badSync, "  mode: upsert\n", "  mode:\n    - upsert\n    - x\n", 1),
			}},
			code:    1,
			outputs: map[string]string{"errors": "4", "warnings": "2", "files": "11"},
			anns: []ann{
				{"error", "syncs/50%,a:b.yaml", 1, 1, 1, 1, "slug-invalid", `file name "50%,a:b" has characters a slug cannot have`},
				{"error", "syncs/z01.yaml", 14, 17, 14, 28, "sync-schedule-cron", `cron expression "0 6 * 1%2"`},
				// A range over lines: no columns.
				{"error", "syncs/z02.yaml", 6, 0, 7, 0, "schema-type", "`config.mode` must be a string, not a list"},
				{"error", "syncs/z02.yaml", 16, 17, 16, 28, "sync-schedule-cron", `cron expression "0 6 * 1%2"`},
				{"warning", "syncs/z01.yaml", 3, 1, 3, 6, "schema-unknown-key", "unknown key `bogus`"},
				{"warning", "syncs/z02.yaml", 3, 1, 3, 6, "schema-unknown-key", "unknown key `bogus`"},
			},
			stdout: []string{
				"file=syncs/50%25%2Ca%3Ab.yaml,line=1,title=htgit%3A slug-invalid::file name \"50%25,a:b\"",
				`::cron expression "0 6 * 1%252": has 4 fields`,
			},
		},
		{
			// Only dbt files change: the check still runs, and the Hightouch
			// model reading the deleted dbt model fails at its dbtModel line,
			// annotated as the change's.
			name: "a pull request deleting a dbt model a Hightouch model reads",
			spec: prSpec{
				base: map[string]string{
					"analytics/dbt_project.yml":          "name: analytics\nconfig-version: 2\n",
					"analytics/models/dim_customers.sql": "select 1 as customer_id\n",
				},
				change: map[string]string{"analytics/models/dim_customers.sql": ""},
			},
			code:    1,
			outputs: map[string]string{"errors": "1", "warnings": "0", "files": "8"},
			anns: []ann{{"error", "models/dim-customers.yaml", 6, 11, 6, 40, "dbt-model-removed",
				"this change deletes analytics/models/dim_customers.sql, the dbt model model.analytics.dim_customers this model reads"}},
		},
		{
			name: "a bad input",
			spec: prSpec{change: map[string]string{"syncs/accounts-to-salesforce.yaml": brokenCron(t)}},
			with: map[string]string{"annotate": "some"},
			code: 2, stdout: []string{`input annotate: "some" is not changed or all`},
		},
		{
			// Advice in the Action names the input, not the flag.
			name: "a path input naming a folder without models or syncs",
			spec: prSpec{change: map[string]string{"docs/README.md": "docs\n"}},
			with: map[string]string{"path": "docs"},
			code: 2, stdout: []string{"; set the input `path: FOLDER` if Git Sync uses a subfolder"},
		},
		{
			name: "an unknown command",
			spec: prSpec{change: map[string]string{"syncs/accounts-to-salesforce.yaml": brokenCron(t)}},
			with: map[string]string{"command": "sync"},
			code: 2, stdout: []string{`input command: "sync" is not auto, validate, plan, deploy or drift`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr := newPullRequest(t, tc.spec)
			a := runAction(t, pr, tc.with, nil)
			if tc.code == 2 {
				// A usage error: annotated and summarised, nothing else done.
				checkFailure(t, a, 2, tc.stdout[0])
				if len(a.outputs) > 0 || len(a.annotations()) > 0 {
					t.Errorf("outputs %q and annotations %v after a usage error", a.outputs, a.annotations())
				}
				return
			}
			if f := a.failures(); len(f) > 0 {
				t.Errorf("failure annotations %q: findings are annotated one by one", f)
			}
			checkRun(t, a, tc.code, tc.outputs)
			checkAnns(t, a.annotations(), tc.anns)
			var notices []string
			for _, n := range a.named("notice") {
				notices = append(notices, n.data)
			}
			if tc.notice == "" && len(notices) > 0 || tc.notice != "" && !reflect.DeepEqual(notices, []string{tc.notice}) {
				t.Errorf("notices %q, want %q", notices, tc.notice)
			}
			for _, s := range tc.summary {
				s = strings.NewReplacer("{HEAD}", pr.head, "{BASE}", pr.base).Replace(s)
				if !strings.Contains(a.summary, s) {
					t.Errorf("the summary lacks %q:\n%s", s, a.summary)
				}
			}
			for _, s := range tc.stdout {
				if !strings.Contains(a.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, a.stdout)
				}
			}
			// One group per file with findings, each closed, and no log
			// line the runner would take for a command.
			if g, e := len(a.named("group")), len(a.named("endgroup")); g != e || g == 0 {
				t.Errorf("%d groups, %d ends", g, e)
			}
			for _, l := range a.log {
				if strings.Contains(l, "##[") {
					t.Errorf("log line %q holds a legacy command", l)
				}
			}
			if a.stderr != "" {
				t.Errorf("stderr: %s", a.stderr)
			}
		})
	}
}

// TestActionAnnotationLimit has 15 errors and 15 warnings, one of each per
// file: at most 10 of each are annotated, the change's files first, and one
// notice counts the rest.
func TestActionAnnotationLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		unchanged, inPR int // files on main before the branch (a01...), files the pull request adds (z01...)
		annotate        string
		errFiles        []string // the annotated files, in order (the same for errors and warnings)
		notice          string
	}{
		{
			name: "annotate all: changed files first, then the others up to 10", unchanged: 9, inPR: 6, annotate: "all",
			errFiles: []string{"z01", "z02", "z03", "z04", "z05", "z06", "a01", "a02", "a03", "a04"},
			notice:   "10 more findings (5 errors, 5 warnings) are not annotated: 10 over the limit of 10 annotations per severity.",
		},
		{
			name: "annotate changed: only the change's files", unchanged: 9, inPR: 6, annotate: "changed",
			errFiles: []string{"z01", "z02", "z03", "z04", "z05", "z06"},
			notice:   "18 more findings (9 errors, 9 warnings) are not annotated: 18 in files this change does not touch.",
		},
		{
			name: "annotate changed with more than 10 changed files", unchanged: 3, inPR: 12, annotate: "changed",
			errFiles: []string{"z01", "z02", "z03", "z04", "z05", "z06", "z07", "z08", "z09", "z10"},
			notice:   "10 more findings (5 errors, 5 warnings) are not annotated: 4 over the limit of 10 annotations per severity, 6 in files this change does not touch.",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := prSpec{base: map[string]string{}, change: map[string]string{}}
			var all []string
			for i := 1; i <= tc.unchanged; i++ {
				spec.base[fmt.Sprintf("syncs/a%02d.yaml", i)] = badSync
				all = append(all, fmt.Sprintf("a%02d", i))
			}
			for i := 1; i <= tc.inPR; i++ {
				spec.change[fmt.Sprintf("syncs/z%02d.yaml", i)] = badSync
				all = append(all, fmt.Sprintf("z%02d", i))
			}
			pr := newPullRequest(t, spec)
			a := runAction(t, pr, map[string]string{"annotate": tc.annotate}, nil)
			checkRun(t, a, 1, map[string]string{"errors": "15", "warnings": "15", "files": "23"})

			var want []ann
			for _, f := range tc.errFiles {
				want = append(want, ann{"error", "syncs/" + f + ".yaml", 14, 17, 14, 28, "sync-schedule-cron", "has 4 fields"})
			}
			for _, f := range tc.errFiles {
				want = append(want, ann{"warning", "syncs/" + f + ".yaml", 3, 1, 3, 6, "schema-unknown-key", "unknown key `bogus`"})
			}
			checkAnns(t, a.annotations(), want)
			notices := a.named("notice")
			if len(notices) != 1 || notices[0].data != tc.notice+" The job summary and the log below list every finding." {
				t.Errorf("notices %v, want one saying %q", notices, tc.notice)
			}
			// The notice comes after the annotations, before the log.
			if last := a.commands[len(a.annotations())]; last.name != "notice" {
				t.Errorf("after the annotations comes %v, want the notice", last)
			}
			// The summary and the log list every finding.
			for _, f := range all {
				for _, line := range []string{"14", "3"} {
					link := fmt.Sprintf("(https://github.com/acme/warehouse/blob/%s/syncs/%s.yaml#L%s) |", pr.head, f, line)
					if !strings.Contains(a.summary, link) {
						t.Errorf("the summary has no row linking %s", link)
					}
				}
				if !strings.Contains(a.stdout, "::group::syncs/"+f+".yaml (1 error, 1 warning)\n") {
					t.Errorf("the log has no group for %s", f)
				}
			}
		})
	}
}

// TestActionSummaryCap: thousands of findings are all annotated up to the
// limit and logged, and the summary stays well under the runner's 1 MiB.
// A file lists at most finding.PerRule findings of a rule, so the thousands
// are spread over files.
func TestActionSummaryCap(t *testing.T) {
	t.Parallel()
	const n, files = 4000, 4000 / finding.PerRule
	change := map[string]string{}
	for f := range files {
		var big strings.Builder
		big.WriteString(example(t, "syncs/accounts-backfill-to-hubspot.yaml"))
		for i := range n / files {
			fmt.Fprintf(&big, "unknown%04d: %d\n", f*(n/files)+i, i)
		}
		change[fmt.Sprintf("syncs/big%02d.yaml", f)] = big.String()
	}
	pr := newPullRequest(t, prSpec{change: change})
	a := runAction(t, pr, nil, nil)
	checkRun(t, a, 0, map[string]string{"errors": "0", "warnings": strconv.Itoa(n), "files": strconv.Itoa(8 + files)})
	if len(a.summary) > 512<<10 {
		t.Errorf("the summary is %d bytes", len(a.summary))
	}
	rows := len(findingRow.FindAllString(a.summary, -1))
	if rows == 0 || rows >= n || !strings.Contains(a.summary, fmt.Sprintf("_%d of %d findings not shown", n-rows, n)) {
		t.Errorf("%d rows; the summary does not say how many it left out", rows)
	}
	if !strings.Contains(a.summary, "### What merging does") {
		t.Error("the plan was cut from the summary")
	}
	if len(a.annotations()) != 10 {
		t.Errorf("%d annotations", len(a.annotations()))
	}
	if got := strings.Count(a.stdout, ": warning: unknown key `unknown"); got != n {
		t.Errorf("the log lists %d findings", got)
	}
}

// sarifLog is what the tests read of a SARIF file.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Results []struct {
			RuleID    string `json:"ruleId"`
			Level     string `json:"level"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// readSARIF validates a SARIF file against the schema and returns its
// results as "level rule uri:line:col".
func readSARIF(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := reporttest.Validate(t, reporttest.SARIF(t), b); err != nil {
		t.Fatalf("%s is not valid SARIF 2.1.0: %v", path, err)
	}
	var log sarifLog
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	var out []string
	for _, r := range log.Runs[0].Results {
		loc := r.Locations[0].PhysicalLocation
		s := r.Level + " " + r.RuleID + " " + loc.ArtifactLocation.URI
		if loc.Region != nil {
			s += fmt.Sprintf(":%d:%d", loc.Region.StartLine, loc.Region.StartColumn)
		}
		out = append(out, s)
	}
	return out
}

func TestActionSARIF(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, input string
		file        func(pr pullRequest) string // where the file must be
	}{
		{"relative, in a folder that does not exist yet", "reports/htgit.sarif",
			func(pr pullRequest) string { return filepath.Join(pr.dir, "reports", "htgit.sarif") }},
		{"absolute, outside the workspace", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr := newPullRequest(t, prSpec{
				renames: map[string]string{"syncs/customers-to-hubspot.yaml": "syncs/customers-to-hubspot-v2.yaml"},
				change: map[string]string{
					"syncs/accounts-to-salesforce.yaml":       brokenCron(t),
					"syncs/accounts-backfill-to-hubspot.yaml": "",
				},
			})
			input, file := tc.input, ""
			if tc.file != nil {
				file = tc.file(pr)
			} else {
				file = filepath.Join(t.TempDir(), "out", "htgit.sarif")
				input = file
			}
			a := runAction(t, pr, map[string]string{"sarif-file": input}, nil)
			checkRun(t, a, 1, map[string]string{"errors": "1", "warnings": "2", "files": "7", "sarif-file": input})
			got := readSARIF(t, file)
			// The deleted file is not in the analysed commit: code scanning
			// could not place its warning, so SARIF leaves it to the summary.
			want := []string{
				"error sync-schedule-cron syncs/accounts-to-salesforce.yaml:22:17",
				"warning change-renamed syncs/customers-to-hubspot-v2.yaml:1:1",
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("SARIF results %q, want %q", got, want)
			}
			// The SARIF file is not a finding and not in the log as one.
			if strings.Contains(a.stdout, "htgit.sarif:") {
				t.Errorf("stdout mentions the SARIF file:\n%s", a.stdout)
			}
		})
	}
}

// TestActionShallowClone runs in a depth-1 clone, as actions/checkout makes
// by default: the base commit is missing and must be fetched, and the
// result is the same as in a full clone.
func TestActionShallowClone(t *testing.T) {
	t.Parallel()
	spec := prSpec{
		renames: map[string]string{"syncs/customers-to-hubspot.yaml": "syncs/customers-to-hubspot-v2.yaml"},
		change: map[string]string{
			"syncs/accounts-to-salesforce.yaml":       brokenCron(t),
			"syncs/accounts-backfill-to-hubspot.yaml": "",
		},
	}
	merged := spec
	merged.mainAfter = map[string]string{"syncs/a-main.yaml": badSync}
	for _, tc := range []struct {
		name  string
		spec  prSpec
		clone func(t *testing.T, origin, dir string)
	}{
		{"git clone --depth=1 of the head", spec, func(t *testing.T, origin, dir string) {
			gittest.Run(t, filepath.Dir(dir), "clone", "-q", "--depth=1", "--branch", "pr", "file://"+origin, dir)
		}},
		{"the merge ref fetched as actions/checkout does", merged, func(t *testing.T, origin, dir string) {
			gittest.Run(t, dir, "init", "-q")
			gittest.Run(t, dir, "remote", "add", "origin", "file://"+origin)
			gittest.Run(t, dir, "fetch", "-q", "--no-tags", "--depth=1", "origin", "+refs/pull/7/merge:refs/remotes/pull/7/merge")
			gittest.Run(t, dir, "checkout", "-q", "--detach", "refs/remotes/pull/7/merge")
		}},
		{"no remote to fetch the base from", spec, func(t *testing.T, origin, dir string) {
			gittest.Run(t, filepath.Dir(dir), "clone", "-q", "--depth=1", "--branch", "pr", "file://"+origin, dir)
			gittest.Run(t, dir, "remote", "remove", "origin")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full := newPullRequest(t, tc.spec)
			shallow := full
			shallow.dir = filepath.Join(t.TempDir(), "checkout")
			if err := os.MkdirAll(shallow.dir, 0o755); err != nil {
				t.Fatal(err)
			}
			tc.clone(t, full.dir, shallow.dir)
			has := func() bool {
				return exec.Command("git", "-C", shallow.dir, "cat-file", "-e", shallow.base+"^{commit}").Run() == nil
			}
			if has() || gittest.Run(t, shallow.dir, "rev-parse", "--is-shallow-repository") != "true" {
				t.Fatal("the clone is not shallow or already has the base commit")
			}
			got := runAction(t, shallow, nil, nil)
			if gittest.Run(t, shallow.dir, "remote") == "" {
				// Nothing to fetch from: say how to fix the checkout.
				if got.code != 2 || !strings.Contains(got.stderr, "commit "+shallow.base+" is not in the repository") ||
					!strings.Contains(got.stderr, "the clone is shallow; set fetch-depth: 0") {
					t.Errorf("exit %d, stderr %q", got.code, got.stderr)
				}
				return
			}
			want := runAction(t, full, nil, nil)
			checkRun(t, got, 1, want.outputs)
			if !reflect.DeepEqual(got.annotations(), want.annotations()) || !reflect.DeepEqual(got.named("notice"), want.named("notice")) {
				t.Errorf("shallow clone annotations:\n%v\nfull clone:\n%v\nstderr: %s", got.commands, want.commands, got.stderr)
			}
			if !strings.Contains(got.summary, "### Deleted resources") || !strings.Contains(got.summary, "renamed away") {
				t.Errorf("the shallow run's summary has no deleted resources:\n%s", got.summary)
			}
			if !has() {
				t.Error("the base commit was not fetched")
			}
		})
	}
}

// TestActionAPIKey: the key is masked on the first line and appears
// nowhere else, whether Hightouch accepts it or not, with debug logging on.
func TestActionAPIKey(t *testing.T) {
	t.Parallel()
	const key = "ht-e2e-SECRET-7f3a9c41d2"
	for _, tc := range []struct {
		name      string
		with      map[string]string
		env       map[string]string
		serverKey string
		want      string // in the summary
	}{
		{"the input, accepted, with debug logging", map[string]string{"api-key": key, "debug": "true"}, nil, key,
			"### What merging does"},
		{"the input, rejected", map[string]string{"api-key": key}, nil, "another-key",
			"Could not compare with Hightouch"},
		{"HIGHTOUCH_API_KEY, accepted", nil, map[string]string{"HIGHTOUCH_API_KEY": key}, key,
			"### What merging does"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := hightouchtest.New(hightouchtest.WithAPIKey(tc.serverKey))
			defer srv.Close()
			pr := newPullRequest(t, prSpec{
				renames: map[string]string{"syncs/customers-to-hubspot.yaml": "syncs/customers-to-hubspot-v2.yaml"},
				change:  map[string]string{"syncs/accounts-to-salesforce.yaml": brokenCron(t)},
			})
			with := map[string]string{"api-url": srv.URL, "sarif-file": "htgit.sarif"}
			for k, v := range tc.with {
				with[k] = v
			}
			a := runAction(t, pr, with, tc.env)
			checkRun(t, a, 1, map[string]string{"errors": "1", "warnings": "1", "files": "8", "sarif-file": "htgit.sarif"})
			first, rest, _ := strings.Cut(a.stdout, "\n")
			if first != "::add-mask::"+key {
				t.Errorf("first line %q, want the mask", first)
			}
			sarif, err := os.ReadFile(filepath.Join(pr.dir, "htgit.sarif"))
			if err != nil {
				t.Fatal(err)
			}
			for name, s := range map[string]string{"stdout after the mask": rest, "stderr": a.stderr, "the summary": a.summary,
				"the outputs": a.outputsRaw, "the SARIF file": string(sarif)} {
				if strings.Contains(s, key) || strings.Contains(s, key[len(key)/2:]) {
					t.Errorf("%s shows the key:\n%s", name, s)
				}
			}
			if srv.Count(hightouchtest.AnyRoute) == 0 {
				t.Error("Hightouch was not asked: the key was not used")
			}
			if !strings.Contains(a.summary, tc.want) {
				t.Errorf("the summary lacks %q:\n%s", tc.want, a.summary)
			}
			if tc.with["debug"] == "true" && !strings.Contains(a.stderr, "/sources") {
				t.Errorf("debug logging is on but stderr has no request:\n%s", a.stderr)
			}
		})
	}
}

// TestValidateFormats runs htgit validate on a workspace with one error, in
// each format, as pre-commit, a workflow step or a person would.
func TestValidateFormats(t *testing.T) {
	t.Parallel()
	dir, _ := newRepo(t, "")
	gittest.Commit(t, dir, "broken", map[string]string{"syncs/accounts-to-salesforce.yaml": brokenCron(t)})
	const textLine = "syncs/accounts-to-salesforce.yaml:22:17: error: cron expression \"0 6 * *\": has 4 fields"
	const annotation = "::error col=17,endColumn=26,endLine=22,file=syncs/accounts-to-salesforce.yaml,line=22,title=htgit%3A sync-schedule-cron::cron expression"
	for _, tc := range []struct {
		name   string
		sub    string // run in this subfolder
		env    map[string]string
		args   []string
		code   int
		stdout []string // substrings
		sarif  string   // a file the run must write, relative to dir
		stderr string
	}{
		{name: "text by default", args: []string{"validate"}, code: 1, stdout: []string{textLine, "1 error in 8 files"}},
		{name: "github by default on Actions", env: map[string]string{"GITHUB_ACTIONS": "true"}, args: []string{"validate"}, code: 1,
			stdout: []string{annotation, "::group::syncs/accounts-to-salesforce.yaml (1 error)\n" + textLine}},
		{name: "json", args: []string{"validate", "--format", "json"}, code: 1,
			stdout: []string{`"version": 1`, `"path": "syncs/accounts-to-salesforce.yaml"`, `"line": 22`, `"column": 17`, `"errors": 1`}},
		{name: "github and sarif to a file", args: []string{"validate", "--format", "github", "--format", "sarif=out/htgit.sarif"}, code: 1,
			stdout: []string{annotation}, sarif: "out/htgit.sarif"},
		{name: "sarif to a file only", env: map[string]string{"GITHUB_ACTIONS": "true"}, args: []string{"validate", "--format=sarif=htgit.sarif"},
			code: 1, sarif: "htgit.sarif"},
		{
			// A workflow step with working-directory: annotations are
			// still relative to GITHUB_WORKSPACE, where GitHub resolves them.
			name: "github from a subfolder on Actions", sub: "syncs",
			env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": dir}, args: []string{"validate"}, code: 1,
			stdout: []string{annotation},
		},
		{name: "sarif from a subfolder on Actions", sub: "syncs", env: map[string]string{"GITHUB_WORKSPACE": dir},
			args: []string{"validate", "--format", "sarif=../out/htgit.sarif"}, code: 1, sarif: "out/htgit.sarif"},
		{name: "two formats on stdout", args: []string{"validate", "--format", "text", "--format", "json"}, code: 2,
			stderr: "only one --format can write to standard output"},
		{name: "an unknown format", args: []string{"validate", "--format", "xml"}, code: 2,
			stderr: `--format "xml": choose text, github, azure, json, sarif, codeclimate or junit (each optionally =PATH)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.sarif != "" {
				if err := os.RemoveAll(filepath.Join(dir, "out")); err != nil {
					t.Fatal(err)
				}
			}
			r := run(t, filepath.Join(dir, tc.sub), tc.env, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			if tc.stderr != "" && !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q: %s", tc.stderr, r.stderr)
			}
			if tc.name == "json" {
				var doc struct {
					Version int `json:"version"`
					Tool    struct {
						Name string `json:"name"`
					} `json:"tool"`
					Findings []map[string]any `json:"findings"`
				}
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Version != 1 || doc.Tool.Name != "htgit" || len(doc.Findings) != 1 {
					t.Errorf("json: %+v, %v", doc, err)
				}
			}
			if tc.sarif != "" {
				got := readSARIF(t, filepath.Join(dir, filepath.FromSlash(tc.sarif)))
				if want := []string{"error sync-schedule-cron syncs/accounts-to-salesforce.yaml:22:17"}; !reflect.DeepEqual(got, want) {
					t.Errorf("SARIF results %q, want %q", got, want)
				}
				if len(tc.stdout) == 0 && r.stdout != "" {
					t.Errorf("stdout with every format written to a file: %s", r.stdout)
				}
			}
		})
	}
}

// TestActionPush runs the Action on push events (GitHub's push payload with
// this repository's commits): a push to another branch only validates, and
// a push to the tracked branch deploys only when it is clean and can be
// compared with the commit before. A step that fails for any other reason
// than findings says so in an error annotation and the job summary, with
// advice naming the Action's inputs.
func TestActionPush(t *testing.T) {
	t.Parallel()
	const key = "ht-e2e-push-key-51b0"
	garbled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "<html>not the API</html>")
	}))
	defer garbled.Close()
	for _, tc := range []struct {
		name    string
		ref     string
		broken  bool // the pushed commit has an error
		created bool // the push created the branch: before is all zeros
		with    map[string]string
		code    int
		stderr  string
	}{
		{name: "another branch: validate only", ref: "refs/heads/feature", broken: true, code: 1},
		{name: "the tracked branch with errors: no deploy", ref: "refs/heads/main", broken: true, code: 1,
			stderr: "validation found 1 error(s); nothing was deployed to Hightouch"},
		{name: "the tracked branch, created by the push", ref: "refs/heads/main", created: true, code: 2,
			stderr: "this push created the branch, so there is no previous commit to compare with; set the input `all: true` to treat every sync as changed (a deploy then triggers every sync)"},
		{name: "the tracked branch without a key", ref: "refs/heads/main", with: map[string]string{"api-key": ""}, code: 2,
			stderr: "deploy needs the Hightouch API key: set the input `api-key` from a secret"},
		{name: "Hightouch answers wrongly", ref: "refs/heads/main", with: map[string]string{"api-url": garbled.URL}, code: 4,
			stderr: "hightouch: GET /"},
		{name: "a bad timeout input", ref: "refs/heads/main", with: map[string]string{"timeout": "soon"}, code: 2,
			stderr: `input timeout: "soon" is not a duration; write one such as 30m or 90s`},
		{name: "a path input that is no folder: named as the input, relative", ref: "refs/heads/main", with: map[string]string{"path": "nope"}, code: 2,
			stderr: `input path "nope": there is no folder nope; give the Git Sync folder relative to the repository root (the working directory)`},
		{name: "plan on the tracked branch: what this push does", ref: "refs/heads/main", with: map[string]string{"command": "plan", "api-key": ""}, code: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := hightouchtest.New(hightouchtest.WithAPIKey(key))
			defer srv.Close()
			dir, before := newRepo(t, "")
			change := map[string]string{"syncs/accounts-backfill-to-hubspot.yaml": ""}
			if tc.broken {
				change["syncs/accounts-to-salesforce.yaml"] = brokenCron(t)
			}
			after := gittest.Commit(t, dir, "pushed", change)
			b := payload(t, "push_with-new-branch.payload.json", func(p map[string]any) {
				p["ref"], p["after"] = tc.ref, after
				if !tc.created {
					p["before"], p["created"] = before, false
				}
				repo := p["repository"].(map[string]any)
				repo["full_name"], repo["default_branch"], repo["master_branch"] = repository, "main", "main"
			})
			event := filepath.Join(t.TempDir(), "push.json")
			if err := os.WriteFile(event, b, 0o644); err != nil {
				t.Fatal(err)
			}
			with := map[string]string{"api-key": key, "api-url": srv.URL}
			maps.Copy(with, tc.with)
			a := runAction(t, pullRequest{dir: dir}, with,
				map[string]string{"GITHUB_EVENT_NAME": "push", "GITHUB_REF": tc.ref, "GITHUB_EVENT_PATH": event})
			if a.code != tc.code || !strings.Contains(a.stderr, tc.stderr) {
				t.Errorf("exit %d, want %d; stderr %q, want %q\nstdout:\n%s", a.code, tc.code, a.stderr, tc.stderr, a.stdout)
			}
			if first, _, _ := strings.Cut(a.stdout, "\n"); with["api-key"] != "" && first != "::add-mask::"+key {
				t.Errorf("first line %q", first)
			}
			if n := srv.Count(hightouchtest.AnyRoute); n > 0 {
				t.Errorf("%d requests to Hightouch; nothing may be deployed", n)
			}
			if tc.code == 0 {
				// After the merge the summary speaks of this push.
				for _, want := range []string{"### What this push does", "This push triggers no sync."} {
					if !strings.Contains(a.summary, want) || strings.Contains(a.summary, "erging") {
						t.Errorf("the summary of a push lacks %q or speaks of merging:\n%s", want, a.summary)
					}
				}
				return
			}
			if tc.code != 1 {
				checkFailure(t, a, tc.code, tc.stderr)
				if strings.Contains(a.stdout+a.summary, "--") && strings.Contains(a.stdout+a.summary, "pass --") {
					t.Errorf("advice in the Action names a flag:\n%s\n%s", a.stdout, a.summary)
				}
				return
			}
			checkRun(t, a, 1, map[string]string{"errors": "1", "warnings": "0", "files": "7"})
			// Outside a pull request every finding is annotated, and the
			// summary links to the pushed commit.
			checkAnns(t, a.annotations(), []ann{cronError("syncs/accounts-to-salesforce.yaml")})
			link := "(https://github.com/acme/warehouse/blob/" + after + "/syncs/accounts-to-salesforce.yaml#L22)"
			if !strings.Contains(a.summary, link) {
				t.Errorf("the summary lacks %s:\n%s", link, a.summary)
			}
		})
	}
}
