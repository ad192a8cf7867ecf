package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The Action is composite: action.yml's steps install the release binary
// (scripts/install-htgit.sh) and run `htgit action` on the runner. The
// runner tests run `htgit action` directly; TestActionComposite runs a few
// of them again through action.yml's steps, as the runner runs a composite
// action, with the release served from loopback. What the steps hand over
// (every input as INPUT_<NAME>, every output from the run step) is checked
// for all inputs and outputs by checkCompositeRuns, without running them.

// actionStep is one step of a composite action.
type actionStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
}

// compositeEnv selects the composite path in this test process.
const compositeEnv = "HTGIT_E2E_ACTION"

var compositeMode = os.Getenv(compositeEnv) == "composite"

// compositeToolCache is the runner's tool cache in composite mode, warmed
// by TestMain before any test starts: the runner tests time what htgit
// does (a deploy that must look before Git Sync ingests), and a fresh
// install is TestInstallScript's to test.
var compositeToolCache string

// warmToolCache installs the test release into a new tool cache with the
// install script, from loopback.
func warmToolCache() error {
	rel, err := makeRelease()
	if err != nil {
		return err
	}
	v, err := readChangelogVersion()
	if err != nil {
		return err
	}
	srv := httptest.NewServer(http.StripPrefix("/v"+rel.version, http.FileServer(http.Dir(rel.dir))))
	defer srv.Close()
	if compositeToolCache, err = os.MkdirTemp("", "htgit-toolcache-"); err != nil {
		return err
	}
	script, err := filepath.Abs(filepath.Join(repoRoot, "scripts", "install-htgit.sh"))
	if err != nil {
		return err
	}
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "HTGIT_DOWNLOAD_BASE="+srv.URL, "RUNNER_TOOL_CACHE="+compositeToolCache)
	if rel.version != v {
		cmd.Env = append(cmd.Env, "HTGIT_VERSION="+rel.version)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("warming the tool cache: %v\n%s", err, out)
	}
	return nil
}

// runActionEntry runs the Action for the runner tests: `htgit action` in
// dir, or in composite mode action.yml's steps.
func runActionEntry(t *testing.T, dir string, env map[string]string) result {
	t.Helper()
	if !compositeMode {
		return run(t, dir, env, "action")
	}
	return runComposite(t, dir, env)
}

// checkCompositeRuns checks what the runner needs of a composite action:
// an install step running the script, a run step that hands every input
// over as INPUT_<NAME>, and every output taken from the run step.
func checkCompositeRuns(t *testing.T, a *actionYAML) {
	t.Helper()
	if a.Runs.Using != "composite" || len(a.Runs.Steps) != 2 {
		t.Fatalf("runs: using %q with %d steps, want composite with an install and a run step", a.Runs.Using, len(a.Runs.Steps))
	}
	install, runStep := a.Runs.Steps[0], a.Runs.Steps[1]
	if install.ID != "install" || !strings.Contains(install.Run, "$GITHUB_ACTION_PATH/scripts/install-htgit.sh") {
		t.Errorf("the first step %+v should be id install running $GITHUB_ACTION_PATH/scripts/install-htgit.sh", install)
	}
	for _, s := range a.Runs.Steps {
		// bash is Git Bash on Windows runners: one script for every OS.
		if s.Shell != "bash" || s.Name == "" {
			t.Errorf("step %q: shell %q, want bash and a name", s.ID, s.Shell)
		}
	}
	want := map[string]string{"HTGIT_BIN": "${{ steps.install.outputs.path }}"}
	for name := range a.Inputs {
		want["INPUT_"+strings.ToUpper(name)] = "${{ inputs." + name + " }}"
	}
	if runStep.ID != "run" || !maps.Equal(runStep.Env, want) || !strings.Contains(runStep.Run, `"$HTGIT_BIN" action`) {
		t.Errorf("the run step should be id run, run \"$HTGIT_BIN\" action, with env\n%v\nnot %+v", want, runStep)
	}
	for name, o := range a.Outputs {
		if o.Value != "${{ steps.run.outputs."+name+" }}" {
			t.Errorf("output %q has value %q, want ${{ steps.run.outputs.%s }}", name, o.Value, name)
		}
	}
}

// expr is one ${{ }} expression: the only kinds action.yml may use.
var expr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)
var exprRef = regexp.MustCompile(`^(?:inputs\.([a-z0-9_-]+)|steps\.([a-z0-9_-]+)\.outputs\.([a-z0-9_-]+))$`)

// runComposite runs action.yml's steps as the runner runs a composite
// action in dir. env is what runAsRunner gives a Docker action: the
// INPUT_* variables there become the with: values (a composite action's
// steps do not get INPUT_* unless action.yml maps them), the rest is the
// job's environment. The steps' outputs and summaries are written to the
// files env names, mapped through action.yml's outputs.
func runComposite(t *testing.T, dir string, env map[string]string) result {
	t.Helper()
	a := readActionYAML(t)
	rel := testRelease(t)
	srv := newReleaseServer(t, rel, serveOK)
	actionPath, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}

	inputs := map[string]string{}
	for name, in := range a.Inputs {
		if in.Default != nil {
			inputs[name] = *in.Default
		}
		if v, ok := env["INPUT_"+strings.ToUpper(name)]; ok {
			inputs[name] = v
		}
	}
	job := map[string]string{}
	for k, v := range env {
		if !strings.HasPrefix(k, "INPUT_") {
			job[k] = v
		}
	}
	maps.Copy(job, installEnv(t, rel, srv, compositeToolCache))
	maps.Copy(job, map[string]string{
		"GITHUB_ACTION_PATH": actionPath, "RUNNER_OS": map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS],
		"RUNNER_ARCH": map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH], "GITHUB_PATH": filepath.Join(t.TempDir(), "path"),
	})

	eval := func(s string, steps map[string]map[string]string) string {
		return expr.ReplaceAllStringFunc(s, func(e string) string {
			m := exprRef.FindStringSubmatch(expr.FindStringSubmatch(e)[1])
			switch {
			case m == nil:
				t.Fatalf("action.yml: %s is not an expression this emulation knows (inputs.X, steps.ID.outputs.X)", e)
			case m[1] != "":
				if _, ok := a.Inputs[m[1]]; !ok {
					t.Fatalf("action.yml: %s names no input", e)
				}
				return inputs[m[1]]
			case steps[m[2]] == nil:
				t.Fatalf("action.yml: %s names no earlier step", e)
			}
			return steps[m[2]][m[3]]
		})
	}

	steps := map[string]map[string]string{}
	var summaries strings.Builder
	var last result
	for _, s := range a.Runs.Steps {
		files := t.TempDir()
		stepEnv := maps.Clone(job)
		stepEnv["GITHUB_OUTPUT"] = filepath.Join(files, "output")
		stepEnv["GITHUB_STEP_SUMMARY"] = filepath.Join(files, "summary")
		for k, v := range s.Env {
			stepEnv[k] = eval(v, steps)
		}
		script := filepath.Join(files, "script.sh")
		if err := os.WriteFile(script, []byte(eval(s.Run, steps)), 0o644); err != nil {
			t.Fatal(err)
		}
		// The runner's command for shell: bash.
		last = runCmd(t, dir, stepEnv, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		out, _ := os.ReadFile(stepEnv["GITHUB_OUTPUT"])
		steps[s.ID] = parseOutputs(t, string(out))
		sum, _ := os.ReadFile(stepEnv["GITHUB_STEP_SUMMARY"])
		summaries.Write(sum)
		if last.code != 0 && s.ID != "run" {
			t.Fatalf("composite step %q failed: exit %d\n%s%s", s.ID, last.code, last.stdout, last.stderr)
		}
		if last.code != 0 {
			break
		}
	}

	// The action's outputs, written as the runner would hand them on.
	var outputs strings.Builder
	for _, name := range slices.Sorted(maps.Keys(a.Outputs)) {
		v := eval(a.Outputs[name].Value, steps)
		if v == "" {
			continue // as a step output htgit did not set: '' in expressions either way
		}
		outputs.WriteString(name + "<<HTGIT_EOF\n" + v + "\nHTGIT_EOF\n")
	}
	for file, text := range map[string]string{env["GITHUB_OUTPUT"]: outputs.String(), env["GITHUB_STEP_SUMMARY"]: summaries.String()} {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return last
}

// compositeTests are the runner tests (and subtests) run again through
// action.yml's steps, one for each way through them: findings (exit 1)
// with outputs, annotations and the summary; a bad input (exit 2); the API
// key as an input, masked, with debug logging and a SARIF file; a deploy
// after a push, with its outputs.
var compositeTests = []string{
	"TestActionPullRequest/a_broken_sync,_a_deleted_sync_and_a_renamed_sync",
	"TestActionPullRequest/a_bad_input",
	"TestActionAPIKey/the_input,_accepted,_with_debug_logging",
	"TestDeployActionPush",
}

// TestActionComposite runs compositeTests again, in a child process (with
// this process's binary and release), through action.yml's composite steps.
func TestActionComposite(t *testing.T) {
	if compositeMode {
		t.Skip("this process is the composite run")
	}
	skipShort(t)
	t.Parallel()
	reaching := testsReaching(t, "runAsRunner")
	var tops, subs []string
	for _, name := range compositeTests {
		top, sub, _ := strings.Cut(name, "/")
		if !slices.Contains(reaching, top) {
			t.Fatalf("%s does not go through runAsRunner (those that do: %s)", top, strings.Join(reaching, ", "))
		}
		tops = append(tops, regexp.QuoteMeta(top))
		if sub != "" {
			subs = append(subs, regexp.QuoteMeta(sub))
		}
	}
	rel := testRelease(t)
	args := []string{"-test.run", "^(" + strings.Join(tops, "|") + ")$/^(" + strings.Join(subs, "|") + ")$",
		"-test.count=1", "-test.timeout=10m", "-test.v"}
	start := time.Now()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), compositeEnv+"=composite", binaryEnv+"="+binary, "HTGIT_RELEASE_DIR="+rel.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the runner tests through the composite action (%s): %v\n%s", strings.Join(compositeTests, ", "), err, out)
	}
	for _, name := range compositeTests {
		if !regexp.MustCompile(`(?m)^\s*--- PASS: ` + regexp.QuoteMeta(name) + ` `).Match(out) {
			t.Errorf("%s did not run through the composite action:\n%s", name, out)
		}
	}
	t.Logf("%d runner tests passed through the composite action in %v", len(compositeTests), time.Since(start).Round(time.Second))
}

// testsReaching lists this package's Test functions that call target,
// directly or through other functions of the package.
func testsReaching(t *testing.T, target string) []string {
	t.Helper()
	names, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]map[string]bool{} // function -> names it uses
	for _, name := range names {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			used := refs[fn.Name.Name]
			if used == nil {
				used = map[string]bool{}
				refs[fn.Name.Name] = used
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					used[id.Name] = true
				}
				return true
			})
		}
	}
	reach := map[string]bool{target: true}
	for changed := true; changed; {
		changed = false
		for fn, used := range refs {
			if reach[fn] {
				continue
			}
			for name := range used {
				if reach[name] {
					reach[fn], changed = true, true
					break
				}
			}
		}
	}
	var tests []string
	for fn := range reach {
		if strings.HasPrefix(fn, "Test") {
			tests = append(tests, fn)
		}
	}
	slices.Sort(tests)
	return tests
}
