package action

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/engine"
)

// env is a fake environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func TestOptions(t *testing.T) {
	defaults := engine.Options{
		Command: "auto", Annotate: "changed", Ingest: "wait", IngestTimeout: 5 * time.Minute, Trigger: "changed",
		FullResync: "auto", Wait: true, Timeout: 30 * time.Minute, OnDelete: "warn", Origin: engine.FromInputs,
		MaxSize: 5 << 20, To: "HEAD",
	}
	with := func(f func(*engine.Options)) engine.Options {
		in := defaults
		f(&in)
		return in
	}
	for _, tc := range []struct {
		name    string
		env     env
		want    engine.Options
		wantErr string // substring; "" means no error
	}{
		{name: "nothing set: the defaults", env: env{}, want: defaults},
		{
			// What the runner passes when the workflow gives no "with":
			// every input with its action.yml default.
			name: "action.yml defaults as the runner passes them",
			env: env{"INPUT_COMMAND": "auto", "INPUT_PATH": "", "INPUT_STRICT": "false", "INPUT_ANNOTATE": "changed",
				"INPUT_SARIF-FILE": "", "INPUT_API-KEY": "", "INPUT_API-URL": "https://api.hightouch.com/api/v1",
				"INPUT_WAIT": "true", "INPUT_INCLUDE-PAUSED": "false"},
			want: with(func(in *engine.Options) { in.APIURL = "https://api.hightouch.com/api/v1" }),
		},
		{
			name: "every input, hyphens kept in the variable names",
			env: env{"INPUT_COMMAND": "validate", "INPUT_PATH": "hightouch", "INPUT_BRANCH": "release",
				"INPUT_STRICT": "true", "INPUT_CONFIG": "ci/htgit.yaml", "INPUT_ANNOTATE": "all", "INPUT_SARIF-FILE": "out/htgit.sarif",
				"INPUT_API-KEY": "k1", "INPUT_API-URL": "http://127.0.0.1:9/api/v1", "INPUT_INGEST": "apply",
				"INPUT_INGEST-TIMEOUT": "1m", "INPUT_TRIGGER": "none", "INPUT_FULL-RESYNC": "always",
				"INPUT_INCLUDE-PAUSED": "True", "INPUT_WAIT": "FALSE", "INPUT_FAIL-ON-WARNING": "true",
				"INPUT_TIMEOUT": "2h", "INPUT_ALL": "true", "INPUT_WORKSPACE-SLUG": "acme", "INPUT_DEBUG": "true",
				"INPUT_ON-DELETE": "pause"},
			want: engine.Options{Command: "validate", Path: "hightouch", Branch: "release", Strict: true, Config: "ci/htgit.yaml", Annotate: "all",
				SARIFFile: "out/htgit.sarif", APIKey: "k1", APIURL: "http://127.0.0.1:9/api/v1", Ingest: "apply",
				IngestTimeout: time.Minute, Trigger: "none", FullResync: "always", IncludePaused: true, Wait: false,
				FailOnWarning: true, Timeout: 2 * time.Hour, All: true, WorkspaceSlug: "acme", Debug: true, OnDelete: "pause",
				Origin: engine.FromInputs, MaxSize: 5 << 20, To: "HEAD"},
		},
		{
			name: "underscored names are not the runner's: ignored",
			env:  env{"INPUT_API_KEY": "k1", "INPUT_SARIF_FILE": "x.sarif", "INPUT_FAIL_ON_WARNING": "true"},
			want: defaults,
		},
		{
			name: "values are trimmed",
			env:  env{"INPUT_PATH": "  hightouch\n", "INPUT_STRICT": " true ", "INPUT_API-KEY": " k1\n"},
			want: with(func(in *engine.Options) { in.Path, in.Strict, in.APIKey = "hightouch", true, "k1" }),
		},
		{
			name: "HIGHTOUCH_API_KEY when the input is empty",
			env:  env{"INPUT_API-KEY": "", "HIGHTOUCH_API_KEY": " k2 "},
			want: with(func(in *engine.Options) { in.APIKey = "k2" }),
		},
		{
			name: "the input wins over HIGHTOUCH_API_KEY",
			env:  env{"INPUT_API-KEY": "k1", "HIGHTOUCH_API_KEY": "k2"},
			want: with(func(in *engine.Options) { in.APIKey = "k1" }),
		},
		{
			name:    "a boolean that is not one",
			env:     env{"INPUT_STRICT": "yes"},
			wantErr: `input strict: "yes" is not true or false`,
		},
		{
			name:    "a duration that is not one",
			env:     env{"INPUT_TIMEOUT": "soon"},
			wantErr: `input timeout: "soon" is not a duration; write one such as 30m or 90s`,
		},
		{
			name:    "every bad value is named",
			env:     env{"INPUT_WAIT": "maybe", "INPUT_ANNOTATE": "some"},
			wantErr: `input wait: "maybe" is not true or false; input annotate: "some" is not changed or all`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := New(&out, tc.env.get).Options()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if got.APIKey == "" && out.Len() > 0 {
				t.Errorf("wrote %q without a key to mask", out.String())
			}
		})
	}
}

// TestInputsMask checks the key is masked by the first line written, before
// an error about another input can be printed, and that every line of a
// multi-line key is masked too.
func TestOptionsMask(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  env
		want []string // the lines written
	}{
		{"input", env{"INPUT_API-KEY": "ht-secret"}, []string{"::add-mask::ht-secret"}},
		{"environment", env{"HIGHTOUCH_API_KEY": "ht-env-secret"}, []string{"::add-mask::ht-env-secret"}},
		{"masked even when another input is bad", env{"INPUT_API-KEY": "ht-secret", "INPUT_STRICT": "nope"},
			[]string{"::add-mask::ht-secret"}},
		{"a % in the key is escaped", env{"INPUT_API-KEY": "a%b"}, []string{"::add-mask::a%25b"}},
		{"a multi-line key, whole and per line", env{"INPUT_API-KEY": "line1\nline2"},
			[]string{"::add-mask::line1%0Aline2", "::add-mask::line1", "::add-mask::line2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			r := New(&out, tc.env.get)
			_, _ = r.Options()
			r.Noticef("after %s", "inputs")
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != len(tc.want)+1 {
				t.Fatalf("wrote %q, want %q then the notice", lines, tc.want)
			}
			if !reflect.DeepEqual(lines[:len(tc.want)], tc.want) {
				t.Errorf("first lines %q, want %q", lines[:len(tc.want)], tc.want)
			}
		})
	}
}

func TestEvent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     env
		payload string // testdata file
		want    Event
		wantErr string
		branch  string
		blob    string
	}{
		{
			name:    "pull_request opened",
			env:     env{"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/2/merge"},
			payload: "pull_request_opened.payload.json",
			want: Event{Name: "pull_request", Ref: "refs/pull/2/merge", DefaultBranch: "master", Repository: "Codertocat/Hello-World",
				Number: 2, BaseSHA: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", BaseRef: "master"},
			blob: "https://github.com/Codertocat/Hello-World/blob/ec26c3e57ca3a959ca5aad62de7213c562f8c821/",
		},
		{
			name: "pull_request_target, repository and server from the environment",
			env: env{"GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_REPOSITORY": "acme/warehouse",
				"GITHUB_SERVER_URL": "https://ghe.example.com/"},
			payload: "pull_request_opened.payload.json",
			want: Event{Name: "pull_request_target", DefaultBranch: "master", Repository: "acme/warehouse", ServerURL: "https://ghe.example.com/",
				Number: 2, BaseSHA: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", BaseRef: "master"},
			blob: "https://ghe.example.com/acme/warehouse/blob/ec26c3e57ca3a959ca5aad62de7213c562f8c821/",
		},
		{
			// A push that deletes a tag: "after" is all zeros, so there is
			// nothing to link to.
			name:    "push deleting a tag",
			env:     env{"GITHUB_EVENT_NAME": "push"},
			payload: "push_payload.json",
			want: Event{Name: "push", Ref: "refs/tags/simple-tag", DefaultBranch: "master", Repository: "Codertocat/Hello-World",
				Before: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", After: "0000000000000000000000000000000000000000"},
		},
		{
			name:    "push creating a branch",
			env:     env{"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/master"},
			payload: "push_with-new-branch.payload.json",
			want: Event{Name: "push", Ref: "refs/heads/master", DefaultBranch: "master", Repository: "Codertocat/Hello-World",
				Before: "0000000000000000000000000000000000000000", After: "6113728f27ae82c7b1a177c8d03f9e96e0adf246"},
			branch: "master",
			blob:   "https://github.com/Codertocat/Hello-World/blob/6113728f27ae82c7b1a177c8d03f9e96e0adf246/",
		},
		{
			name:   "no payload: the environment only",
			env:    env{"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_REF": "refs/heads/main", "GITHUB_REPOSITORY": "o/r"},
			want:   Event{Name: "workflow_dispatch", Ref: "refs/heads/main", Repository: "o/r"},
			branch: "main",
		},
		{
			name:    "a pull_request name with a push payload",
			env:     env{"GITHUB_EVENT_NAME": "pull_request"},
			payload: "push_payload.json",
			wantErr: "has no pull_request.base.sha or head.sha",
		},
		{
			name:    "a payload that is not JSON",
			env:     env{"GITHUB_EVENT_NAME": "push"},
			payload: "-not json",
			wantErr: "is not valid JSON",
		},
		{
			name:    "a missing payload file",
			env:     env{"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": filepath.Join("testdata", "no-such.json")},
			wantErr: "reading the event payload",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := env{}
			for k, v := range tc.env {
				e[k] = v
			}
			switch {
			case strings.HasPrefix(tc.payload, "-"):
				p := filepath.Join(t.TempDir(), "event.json")
				if err := os.WriteFile(p, []byte(tc.payload[1:]), 0o644); err != nil {
					t.Fatal(err)
				}
				e["GITHUB_EVENT_PATH"] = p
			case tc.payload != "":
				e["GITHUB_EVENT_PATH"] = filepath.Join("testdata", tc.payload)
			}
			got, err := New(&bytes.Buffer{}, e.get).Event()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != tc.want {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
			if b := got.Branch(); b != tc.branch {
				t.Errorf("Branch() = %q, want %q", b, tc.branch)
			}
			if b := got.BlobURL(); b != tc.blob {
				t.Errorf("BlobURL() = %q, want %q", b, tc.blob)
			}
			if pr := tc.want.Name == "pull_request" || tc.want.Name == "pull_request_target"; got.IsPullRequest() != pr {
				t.Errorf("IsPullRequest() = %v", !pr)
			}
		})
	}
}

func TestBranch(t *testing.T) {
	for ref, want := range map[string]string{
		"refs/heads/main":         "main",
		"refs/heads/feature/x":    "feature/x",
		"refs/tags/v1":            "",
		"refs/pull/2/merge":       "",
		"main":                    "",
		"":                        "",
		"refs/heads/refs/heads/x": "refs/heads/x",
	} {
		if got := (&Event{Ref: ref}).Branch(); got != want {
			t.Errorf("Branch() of %q = %q, want %q", ref, got, want)
		}
	}
}

func TestBlobURL(t *testing.T) {
	for _, tc := range []struct {
		ev   Event
		want string
	}{
		{Event{Repository: "o/r", HeadSHA: "abc"}, "https://github.com/o/r/blob/abc/"},
		{Event{Repository: "o/r", HeadSHA: "abc", After: "def"}, "https://github.com/o/r/blob/abc/"},
		{Event{Repository: "o/r", After: "def", ServerURL: "https://ghe.local"}, "https://ghe.local/o/r/blob/def/"},
		{Event{Repository: "o/r", After: "def", ServerURL: "https://ghe.local/"}, "https://ghe.local/o/r/blob/def/"},
		{Event{Repository: "o/r"}, ""},
		{Event{HeadSHA: "abc"}, ""},
		{Event{Repository: "o/r", After: strings.Repeat("0", 40)}, ""},
		{Event{Repository: "o/r", After: strings.Repeat("0", 64)}, ""},
	} {
		if got := tc.ev.BlobURL(); got != tc.want {
			t.Errorf("BlobURL() of %+v = %q, want %q", tc.ev, got, tc.want)
		}
	}
}

// parseOutputs reads a $GITHUB_OUTPUT file as the runner does: name=value
// lines and name<<DELIMITER blocks.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		if name, delim, ok := strings.Cut(l, "<<"); ok {
			var val []string
			for i++; ; i++ {
				if i >= len(lines) {
					t.Fatalf("output %s: delimiter %q never closes in %q", name, delim, s)
				}
				if lines[i] == delim {
					break
				}
				val = append(val, lines[i])
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("bad line %q in %q", l, s)
		}
		out[name] = val
	}
	return out
}

func TestSetOutput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "output")
	if err := os.WriteFile(path, []byte("earlier=step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	r := New(&log, env{"GITHUB_OUTPUT": path}.get)
	values := map[string]string{
		"errors":    "2",
		"triggered": `[{"syncSlug":"a","runId":"1"}]`,
		// A value that would end go-githubactions' fixed delimiter early.
		"tricky": "x\n_GitHubActionsFileCommandDelimeter_\ninjected<<EOF\nyes\nEOF",
		"empty":  "",
	}
	for _, name := range []string{"errors", "triggered", "tricky", "empty"} {
		if err := r.SetOutput(name, values[name]); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"earlier": "step"}
	for k, v := range values {
		want[k] = v
	}
	if got := parseOutputs(t, string(b)); !reflect.DeepEqual(got, want) {
		t.Errorf("outputs %q, want %q\nfile:\n%s", got, want, b)
	}
	if !regexp.MustCompile(`(?m)^errors<<ghadelimiter_[0-9a-f]{32}\n2\nghadelimiter_[0-9a-f]{32}$`).Match(b) {
		t.Errorf("not the toolkit's form with a random delimiter:\n%s", b)
	}
	if log.Len() > 0 {
		t.Errorf("wrote %q to the log", log.String())
	}

	for _, name := range []string{"", "a=b", "a\nb", "a<<b"} {
		if err := r.SetOutput(name, "v"); err == nil {
			t.Errorf("SetOutput(%q) succeeded", name)
		}
	}
	// No runner file: nothing to do, no error.
	if err := New(&log, env{}.get).SetOutput("errors", "1"); err != nil {
		t.Errorf("without GITHUB_OUTPUT: %v", err)
	}
	// A file that cannot be written is an error, not a panic.
	if err := New(&log, env{"GITHUB_OUTPUT": filepath.Join(dir, "missing", "output")}.get).SetOutput("errors", "1"); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestAddSummary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.md")
	r := New(&bytes.Buffer{}, env{"GITHUB_STEP_SUMMARY": path}.get)
	for _, md := range []string{"## htgit\n\n| a |\n", "### Deploy\n"} {
		if err := r.AddSummary(md); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "## htgit\n\n| a |\n\n### Deploy\n\n"; string(b) != want {
		t.Errorf("summary %q, want %q", b, want)
	}
	if err := New(&bytes.Buffer{}, env{}.get).AddSummary("x"); err != nil {
		t.Errorf("without GITHUB_STEP_SUMMARY: %v", err)
	}
	if err := New(&bytes.Buffer{}, env{"GITHUB_STEP_SUMMARY": filepath.Join(dir, "missing", "s.md")}.get).AddSummary("x"); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestWorkspace(t *testing.T) {
	if got := New(&bytes.Buffer{}, env{"GITHUB_WORKSPACE": "/github/workspace"}.get).Workspace(); got != "/github/workspace" {
		t.Errorf("Workspace() = %q", got)
	}
}
