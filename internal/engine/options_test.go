package engine

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite action.yml's generated inputs")

// TestDeclared: every option has a kebab-case name, a place (a flag or an
// input), and defaults that parse.
func TestDeclared(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	seen := map[string]bool{}
	for _, o := range Declared {
		if !kebab.MatchString(o.Name) || seen[o.Name] {
			t.Errorf("option %q: not kebab-case, or declared twice", o.Name)
		}
		seen[o.Name] = true
		if o.Usage == "" && o.Input == "" {
			t.Errorf("option %s is neither a flag nor an input", o.Name)
		}
		if (o.Input != "") != (o.Commands&CI != 0) {
			t.Errorf("option %s: an input exactly when the CI front end takes it", o.Name)
		}
		if o.Usage != "" && o.Commands&^CI == 0 {
			t.Errorf("option %s has flag help but no command takes it", o.Name)
		}
		for _, def := range []string{o.Default, o.CIDefault} {
			if def != "" {
				var opts Options
				if err := (value{field: o.field(&opts)}).Set(def); err != nil {
					t.Errorf("option %s: default %q: %v", o.Name, def, err)
				}
			}
		}
	}
}

func TestBind(t *testing.T) {
	var o Options
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Bind(fs, Deploy, &o)
	if o.Timeout != 30*time.Minute || o.Ingest != "wait" || o.Wait || o.MaxSize == 0 || o.To != "HEAD" {
		t.Fatalf("defaults not set: %+v", o)
	}
	err := fs.Parse([]string{"--path", "ht", "--exclude", "a/**", "--exclude", "b", "--wait", "--timeout", "2m", "--max-size", "9"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Path != "ht" || strings.Join(o.Exclude, ",") != "a/**,b" || !o.Wait || o.Timeout != 2*time.Minute || o.MaxSize != 9 {
		t.Errorf("flags not bound: %+v", o)
	}
	if fs.Lookup("annotate") != nil || fs.Lookup("api-key") != nil || fs.Lookup("command") != nil {
		t.Error("an Action-only input became a flag")
	}
	// Drift and export list; their default bound is shorter.
	var d Options
	Bind(flag.NewFlagSet("drift", flag.ContinueOnError), Drift, &d)
	if d.Timeout != 5*time.Minute {
		t.Errorf("drift's timeout %v", d.Timeout)
	}
	if err := fs.Parse([]string{"--timeout", "soon"}); err == nil || !strings.Contains(err.Error(), "write one such as 30m") {
		t.Errorf("bad duration: %v", err)
	}
}

func TestDefaultsCI(t *testing.T) {
	o := Defaults(CI)
	if !o.Wait || o.Command != "auto" || o.Annotate != "changed" || o.Timeout != 30*time.Minute || o.MaxSize == 0 || o.To != "HEAD" {
		t.Errorf("the Action's defaults: %+v", o)
	}
	if err := o.SetInput("root", "x"); err == nil {
		t.Error("root is no input, yet SetInput took it")
	}
}

// TestActionYAMLInputs holds action.yml's inputs, and the step env that
// passes them to htgit, to the declaration (-update rewrites them).
func TestActionYAMLInputs(t *testing.T) {
	const path = "../../action.yml"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var inputs, env strings.Builder
	for _, o := range Declared {
		if o.Input == "" {
			continue
		}
		fmt.Fprintf(&inputs, "  %s:\n    description: %s\n    required: false\n    default: %s\n", o.Name, scalar(t, o.Input), scalar(t, o.InputDefault()))
		fmt.Fprintf(&env, "        INPUT_%s: ${{ inputs.%s }}\n", strings.ToUpper(o.Name), o.Name)
	}
	inputs.WriteString("\n")
	got := string(src)
	want := replaceBetween(t, got, "inputs:\n", "outputs:\n", inputs.String())
	want = replaceBetween(t, want, "        HTGIT_BIN: ${{ steps.install.outputs.path }}\n", "", env.String())
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("action.yml's inputs are not the declared options; run go test ./internal/engine -run TestActionYAMLInputs -update")
	}
	if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
}

// scalar is s as a YAML scalar, quoted where YAML needs it.
func scalar(t *testing.T, s string) string {
	b, err := yaml.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b, []byte("\n")))
}

// replaceBetween replaces what follows begin up to end ("" = the end).
func replaceBetween(t *testing.T, s, begin, end, with string) string {
	i := strings.Index(s, begin)
	if i < 0 {
		t.Fatalf("action.yml has no %q", begin)
	}
	i += len(begin)
	j := len(s)
	if end != "" {
		if j = strings.Index(s[i:], end); j < 0 {
			t.Fatalf("action.yml has no %q after %q", end, begin)
		}
		j += i
	}
	return s[:i] + with + s[j:]
}

// TestREADMEInputs holds the README's table of the Action's inputs to the
// declaration (-update rewrites it).
func TestREADMEInputs(t *testing.T) {
	const path = "../../README.md"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| input | default | what it does |\n|---|---|---|\n")
	for _, o := range Declared {
		if o.Input == "" {
			continue
		}
		def := "(empty)"
		if d := o.InputDefault(); d != "" {
			def = "`" + d + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", o.Name, def, strings.ReplaceAll(o.Input, "|", `\|`))
	}
	got := string(src)
	want := replaceBetween(t, got, "<!-- inputs:begin -->\n", "<!-- inputs:end -->", b.String())
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("README's inputs table is not the declared options; run go test ./internal/engine -run TestREADMEInputs -update")
	}
	if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
}
