package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The runner's side of `htgit action`, shared by the pull request and the
// push tests: the environment the Actions runner gives a Docker action, and
// the files it reads back.

// runnerEvent is the event a run of `htgit action` is for.
type runnerEvent struct {
	name      string // GITHUB_EVENT_NAME
	payload   []byte // the webhook payload, at GITHUB_EVENT_PATH
	workspace string // the checkout: GITHUB_WORKSPACE, where the action runs
	ref, sha  string // GITHUB_REF, GITHUB_SHA
}

// runnerRun is one run of `htgit action` and what it left for the runner.
type runnerRun struct {
	result
	outputs    map[string]string // $GITHUB_OUTPUT, parsed
	outputsRaw string            // $GITHUB_OUTPUT as written
	summary    string            // $GITHUB_STEP_SUMMARY
}

// runAsRunner runs `htgit action` as the runner runs a Docker action for ev:
// in the workspace, with the payload and empty output and summary files in
// a temporary directory and the GITHUB_* variables set; each of envs (the
// INPUT_* variables, others) is laid over those in turn.
func runAsRunner(t *testing.T, ev runnerEvent, envs ...map[string]string) runnerRun {
	t.Helper()
	files := t.TempDir() // the runner's _temp: the event and file commands
	event := filepath.Join(files, "event.json")
	output := filepath.Join(files, "set_output")
	summary := filepath.Join(files, "step_summary")
	for name, content := range map[string][]byte{event: ev.payload, output: nil, summary: nil} {
		if err := os.WriteFile(name, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": ev.name, "GITHUB_EVENT_PATH": event,
		"GITHUB_REF": ev.ref, "GITHUB_SHA": ev.sha, "GITHUB_WORKSPACE": ev.workspace,
		"GITHUB_OUTPUT": output, "GITHUB_STEP_SUMMARY": summary,
		"GITHUB_REPOSITORY": repository, "GITHUB_SERVER_URL": server,
	}
	for _, e := range envs {
		maps.Copy(env, e)
	}
	r := runnerRun{result: runActionEntry(t, ev.workspace, env)}
	b, err := os.ReadFile(output)
	if err != nil {
		t.Fatal(err)
	}
	r.outputsRaw, r.outputs = string(b), parseOutputs(t, string(b))
	if b, err = os.ReadFile(summary); err != nil {
		t.Fatal(err)
	}
	r.summary = string(b)
	return r
}

const (
	repository = "acme/warehouse"
	server     = "https://github.com"
)

// inputEnv is the environment the runner gives a Docker action for the
// inputs in with (name -> value): INPUT_<NAME>, upper-cased, hyphens kept.
func inputEnv(with map[string]string) map[string]string {
	env := map[string]string{}
	for name, v := range with {
		env["INPUT_"+strings.ToUpper(name)] = v
	}
	return env
}

// payload is one of GitHub's example webhook payloads in testdata, edited.
func payload(t *testing.T, name string, edit func(p map[string]any)) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(src, &p); err != nil {
		t.Fatal(err)
	}
	edit(p)
	out, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// parseOutputs reads $GITHUB_OUTPUT as the runner does: name=value lines and
// name<<DELIMITER blocks.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var val []string
			for i++; ; i++ {
				if i >= len(lines) {
					t.Fatalf("output %s: delimiter %q never closes:\n%s", name, delim, s)
				}
				if lines[i] == delim {
					break
				}
				val = append(val, lines[i])
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(lines[i], "=")
		if !ok {
			t.Fatalf("bad output line %q in:\n%s", lines[i], s)
		}
		out[name] = val
	}
	return out
}
