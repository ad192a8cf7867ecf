// Package action is htgit's side of the GitHub Actions runner: it reads the
// action's inputs (masking the API key first) and the triggering event, and
// writes step outputs and the job summary through go-githubactions. It
// decides nothing about the workspace.
package action

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/htgit/htgit/internal/engine"
)

// Runner talks to the Actions runner.
type Runner struct {
	gh     *githubactions.Action
	getenv func(string) string
}

// New returns a Runner that writes workflow commands to w.
func New(w io.Writer, getenv func(string) string) *Runner {
	return &Runner{
		gh:     githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(getenv)),
		getenv: getenv,
	}
}

// Options reads the inputs into options, each declared input from
// INPUT_<NAME> (the runner passes every input, defaults included). The API
// key (input or HIGHTOUCH_API_KEY) is masked before anything else is
// written, so no later line can show it.
func (r *Runner) Options() (*engine.Options, error) {
	o := engine.Defaults(engine.CI)
	o.Origin = engine.FromInputs
	o.APIKey = r.gh.GetInput("api-key")
	if o.APIKey == "" {
		o.APIKey = strings.TrimSpace(r.getenv("HIGHTOUCH_API_KEY"))
	}
	r.mask(o.APIKey)
	var errs []string
	for _, opt := range engine.Declared {
		if opt.Input == "" || opt.Name == "api-key" {
			continue
		}
		if v := r.gh.GetInput(opt.Name); v != "" {
			if err := o.SetInput(opt.Name, v); err != nil {
				errs = append(errs, fmt.Sprintf("input %s: %v", opt.Name, err))
			}
		}
	}
	if o.Annotate != "changed" && o.Annotate != "all" {
		errs = append(errs, fmt.Sprintf("input annotate: %q is not changed or all", o.Annotate))
	}
	if len(errs) > 0 {
		return o, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return o, nil
}

// mask registers secret with the runner's log masker. The runner masks
// printed text line by line, so a value with line breaks (a key pasted with
// one) is registered line by line too, besides whole.
func (r *Runner) mask(secret string) {
	if secret == "" {
		return
	}
	r.gh.AddMask(secret)
	if !strings.ContainsAny(secret, "\r\n") {
		return
	}
	for line := range strings.FieldsFuncSeq(secret, func(c rune) bool { return c == '\r' || c == '\n' }) {
		if line = strings.TrimSpace(line); line != "" {
			r.gh.AddMask(line)
		}
	}
}

// Event is what htgit needs of the triggering event.
type Event struct {
	Name          string // GITHUB_EVENT_NAME
	Ref           string // GITHUB_REF, e.g. refs/heads/main
	DefaultBranch string // repository.default_branch
	Repository    string // owner/name
	ServerURL     string // https://github.com
	// pull_request
	Number           int
	BaseSHA, HeadSHA string
	BaseRef          string // the branch the pull request merges into
	// push
	Before, After string
}

// IsPullRequest reports whether the event is a pull request.
func (e *Event) IsPullRequest() bool {
	return e.Name == "pull_request" || e.Name == "pull_request_target"
}

// Branch is the short branch name of a push's ref ("" for tags and others).
func (e *Event) Branch() string {
	b, _ := strings.CutPrefix(e.Ref, "refs/heads/")
	if b == e.Ref {
		return ""
	}
	return b
}

// BlobURL is the base of links to files at the pull request's head (or the
// pushed commit), for the job summary; "" when unknown.
func (e *Event) BlobURL() string {
	sha := e.HeadSHA
	if sha == "" {
		sha = e.After
	}
	// A push that deletes a branch or tag has an all-zero "after".
	if e.Repository == "" || sha == "" || strings.Trim(sha, "0") == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/blob/%s/", strings.TrimSuffix(cmp.Or(e.ServerURL, "https://github.com"), "/"), e.Repository, sha)
}

// payload is the part of GitHub's webhook payloads htgit reads.
type payload struct {
	Before      string `json:"before"`
	After       string `json:"after"`
	Ref         string `json:"ref"`
	Number      int    `json:"number"`
	PullRequest *struct {
		Base struct {
			SHA string `json:"sha"`
			Ref string `json:"ref"`
		} `json:"base"`
		Head struct {
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`
	Repository struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
}

// Event reads GITHUB_EVENT_NAME and the payload at GITHUB_EVENT_PATH.
func (r *Runner) Event() (*Event, error) {
	ev := &Event{
		Name:       r.getenv("GITHUB_EVENT_NAME"),
		Ref:        r.getenv("GITHUB_REF"),
		Repository: r.getenv("GITHUB_REPOSITORY"),
		ServerURL:  r.getenv("GITHUB_SERVER_URL"),
	}
	path := r.getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return ev, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the event payload GITHUB_EVENT_PATH: %w", err)
	}
	var p payload
	if err := json.Unmarshal(src, &p); err != nil {
		return nil, fmt.Errorf("the event payload %s is not valid JSON: %w", path, err)
	}
	ev.DefaultBranch = p.Repository.DefaultBranch
	ev.Repository = cmp.Or(ev.Repository, p.Repository.FullName)
	ev.Ref = cmp.Or(ev.Ref, p.Ref)
	ev.Before, ev.After = p.Before, p.After
	if p.PullRequest != nil {
		ev.Number = p.Number
		ev.BaseSHA, ev.HeadSHA = p.PullRequest.Base.SHA, p.PullRequest.Head.SHA
		ev.BaseRef = p.PullRequest.Base.Ref
	}
	if ev.IsPullRequest() && (ev.BaseSHA == "" || ev.HeadSHA == "") {
		return nil, fmt.Errorf("the %s payload at %s has no pull_request.base.sha or head.sha", ev.Name, path)
	}
	return ev, nil
}

// Workspace is GITHUB_WORKSPACE, where the repository is checked out.
func (r *Runner) Workspace() string { return r.getenv("GITHUB_WORKSPACE") }

// SetOutput writes one step output ($GITHUB_OUTPUT) in the runner's
// multi-line form, name<<DELIMITER, value, DELIMITER. Like the Actions
// toolkit it picks a random delimiter: go-githubactions' fixed one would let
// a value holding that line end the value early and set other outputs.
func (r *Runner) SetOutput(name, value string) error {
	path := r.getenv("GITHUB_OUTPUT")
	if path == "" {
		return nil // outside a runner (or an old one): nothing to write to
	}
	if name == "" || strings.ContainsAny(name, "\r\n=") || strings.Contains(name, "<<") {
		return fmt.Errorf("step output name %q: must be one line without = or <<", name)
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	delim := "ghadelimiter_" + hex.EncodeToString(b[:])
	if strings.Contains(value, delim) {
		return fmt.Errorf("step output %s: the value contains the delimiter", name) // 2^-128
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing step output %s: %w", name, err)
	}
	_, err = fmt.Fprintf(f, "%s<<%s\n%s\n%s\n", name, delim, value, delim)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing step output %s: %w", name, err)
	}
	return nil
}

// AddSummary appends markdown to the job summary ($GITHUB_STEP_SUMMARY).
func (r *Runner) AddSummary(markdown string) error {
	if r.getenv("GITHUB_STEP_SUMMARY") == "" {
		return nil
	}
	return guard(func() { r.gh.AddStepSummary(markdown) })
}

// Noticef writes a notice annotation.
func (r *Runner) Noticef(format string, args ...any) { r.gh.Noticef(format, args...) }

// guard turns go-githubactions' panics on file errors into errors.
func guard(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("writing to the runner's file: %v", r)
		}
	}()
	f()
	return nil
}

// Fail writes an error annotation for what made the step fail.
func (r *Runner) Fail(msg string) {
	r.gh.WithFieldsMap(map[string]string{"title": "htgit failed"}).Errorf("%s", msg)
}
