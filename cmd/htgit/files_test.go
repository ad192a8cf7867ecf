package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/gittest"
)

// repoRoot is the module root, from this package's directory.
var repoRoot = filepath.Join("..", "..")

// actionYAML is what the tests read of action.yml.
type actionYAML struct {
	Name        string `yaml:"name"`
	Author      string `yaml:"author"`
	Description string `yaml:"description"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
	// order keeps the inputs in file order.
	order []string
}

func readActionYAML(t *testing.T) *actionYAML {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionYAML
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true) // a misspelt top-level key would be ignored by the runner
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	for i, n := range doc.Content[0].Content {
		if n.Value == "inputs" {
			ins := doc.Content[0].Content[i+1]
			for j := 0; j < len(ins.Content); j += 2 {
				a.order = append(a.order, ins.Content[j].Value)
			}
		}
	}
	return &a
}

// runnerInputs is the environment the runner gives a Docker action when the
// workflow sets the inputs in with: every input of action.yml as
// INPUT_<NAME> (upper-cased, hyphens kept), with its default unless set.
func runnerInputs(t *testing.T, with map[string]string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for name, in := range readActionYAML(t).Inputs {
		v := ""
		if in.Default != nil {
			v = *in.Default
		}
		if w, ok := with[name]; ok {
			v = w
		}
		env["INPUT_"+strings.ToUpper(name)] = v
	}
	for name := range with {
		if _, ok := env["INPUT_"+strings.ToUpper(name)]; !ok {
			t.Fatalf("input %q is not in action.yml", name)
		}
	}
	return env
}

func TestActionYAML(t *testing.T) {
	a := readActionYAML(t)
	if a.Name == "" || a.Description == "" || a.Branding.Icon == "" || a.Branding.Color == "" {
		t.Errorf("action.yml needs name, description and branding (icon, color) for the Marketplace: %+v", a)
	}
	checkCompositeRuns(t, a)
	var inputs []string
	for _, o := range engine.Declared {
		if o.Input != "" {
			inputs = append(inputs, o.Name)
		}
	}
	if !slices.Equal(a.order, inputs) {
		t.Errorf("action.yml inputs %q\nare not the declared inputs %q", a.order, inputs)
	}
	kebab := regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	for name, in := range a.Inputs {
		if !kebab.MatchString(name) {
			t.Errorf("input %q is not kebab-case", name)
		}
		if in.Description == "" {
			t.Errorf("input %q has no description", name)
		}
		if in.Required {
			t.Errorf("input %q is required; every input has a default", name)
		}
	}

	// The code's defaults are action.yml's: reading the inputs the runner
	// passes with no "with" gives what reading none does.
	fromYAML, err := action.New(&bytes.Buffer{}, func(k string) string { return runnerInputs(t, nil)[k] }).Options()
	if err != nil {
		t.Fatalf("action.yml's defaults are not valid inputs: %v", err)
	}
	fromCode, err := action.New(&bytes.Buffer{}, func(string) string { return "" }).Options()
	if err != nil {
		t.Fatal(err)
	}
	// api-url is empty so that HIGHTOUCH_API_URL (then the public URL) applies:
	// the runner always passes a default, which would hide the variable.
	if !reflect.DeepEqual(fromYAML, fromCode) {
		t.Errorf("action.yml defaults %+v\ndiffer from the code's %+v", fromYAML, fromCode)
	}

	// Every output action.yml declares is set by the code, and no other.
	set := outputsSet(t, filepath.Join(repoRoot, "internal", "cli"))
	var declared []string
	for name, o := range a.Outputs {
		declared = append(declared, name)
		if o.Description == "" {
			t.Errorf("output %q has no description", name)
		}
	}
	slices.Sort(declared)
	if !slices.Equal(declared, set) {
		t.Errorf("action.yml outputs %q, the code sets %q", declared, set)
	}
}

// outputsSet lists the step outputs the Go code in dir sets: string
// literals passed to SetOutput, and the names of the [2]string{name, value}
// pairs the action command loops over into SetOutput.
func outputsSet(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	lit := func(e ast.Expr) {
		if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
			s, err := strconv.Unquote(b.Value)
			if err != nil {
				t.Fatal(err)
			}
			seen[s] = true
		}
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "SetOutput" && len(n.Args) == 2 {
					lit(n.Args[0])
				}
			case *ast.CompositeLit:
				// [2]string{"name", value}, also with the type elided
				// inside a [][2]string{...}.
				pair := func(t ast.Expr) bool {
					arr, ok := t.(*ast.ArrayType)
					if !ok || arr.Len == nil {
						return false
					}
					id, ok := arr.Elt.(*ast.Ident)
					return ok && id.Name == "string"
				}
				if pair(n.Type) && len(n.Elts) == 2 {
					lit(n.Elts[0])
				}
				if outer, ok := n.Type.(*ast.ArrayType); ok && pair(outer.Elt) {
					for _, e := range n.Elts {
						if c, ok := e.(*ast.CompositeLit); ok && c.Type == nil && len(c.Elts) == 2 {
							lit(c.Elts[0])
						}
					}
				}
			}
			return true
		})
	}
	var out []string
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// dockerInstr is one Dockerfile instruction with its continuation lines
// joined.
type dockerInstr struct {
	line int
	op   string // upper-cased
	args string
}

func readDockerfile(t *testing.T) []dockerInstr {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []dockerInstr
	var cur *dockerInstr
	for i, l := range strings.Split(string(src), "\n") {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur == nil) {
			continue // comments, also inside a continued instruction
		}
		text := trimmed
		cont := strings.HasSuffix(text, "\\")
		text = strings.TrimSpace(strings.TrimSuffix(text, "\\"))
		if cur == nil {
			op, args, _ := strings.Cut(text, " ")
			cur = &dockerInstr{line: i + 1, op: strings.ToUpper(op), args: strings.TrimSpace(args)}
		} else {
			cur.args += " " + text
		}
		if !cont {
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		t.Fatalf("Dockerfile ends inside a continued instruction at line %d", cur.line)
	}
	return out
}

func TestDockerfile(t *testing.T) {
	instrs := readDockerfile(t)
	var stages []string // base images, in order
	builtTo := map[string]bool{}
	var final []dockerInstr // the last stage's instructions
	for _, in := range instrs {
		switch in.op {
		case "FROM":
			stages = append(stages, strings.Fields(in.args)[0])
			final = nil
		case "COPY":
			f := strings.Fields(in.args)
			var from string
			for len(f) > 0 && strings.HasPrefix(f[0], "--") {
				if v, ok := strings.CutPrefix(f[0], "--from="); ok {
					from = v
				}
				f = f[1:]
			}
			if len(f) < 2 {
				t.Errorf("line %d: COPY %s has no source and destination", in.line, in.args)
				continue
			}
			for _, src := range f[:len(f)-1] {
				if from != "" {
					if !builtTo[src] {
						t.Errorf("line %d: COPY --from=%s %s: no earlier stage builds %s", in.line, from, src, src)
					}
					continue
				}
				if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(src))); err != nil {
					t.Errorf("line %d: COPY source %s: %v", in.line, src, err)
				}
			}
		case "RUN":
			if strings.Contains(in.args, "go build") {
				checkGoBuild(t, in, builtTo)
			}
		}
		final = append(final, in)
	}
	if len(stages) < 2 {
		t.Fatalf("the Dockerfile has %d stage(s); want a build stage and a small final one", len(stages))
	}
	if len(builtTo) == 0 {
		t.Fatal("no RUN go build in the Dockerfile")
	}
	// The image reports the release's version: the workflow passes it as
	// --build-arg VERSION, which the build stage must declare and stamp.
	argAt, stampAt := 0, 0
	for _, in := range instrs {
		if in.op == "ARG" && strings.HasPrefix(in.args, "VERSION") && argAt == 0 {
			argAt = in.line
		}
		if in.op == "RUN" && strings.Contains(in.args, "/internal/cli.version=${VERSION}") {
			stampAt = in.line
		}
	}
	if argAt == 0 || stampAt == 0 || argAt > stampAt {
		t.Errorf("the build stage should declare ARG VERSION (line %d) and stamp it with -X .../internal/cli.version=${VERSION} (line %d)", argAt, stampAt)
	}

	// The build stage's Go is the one go.mod asks for.
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	if goVersion == nil || !strings.HasPrefix(stages[0], "golang:"+string(goVersion[1])) {
		t.Errorf("build stage FROM %s, go.mod says go %s", stages[0], goVersion[1])
	}
	digest := regexp.MustCompile(`^[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}$`)
	for _, s := range stages {
		if !digest.MatchString(s) {
			t.Errorf("FROM %s is not pinned by digest (image:tag@sha256:...): a rebuild could get another base", s)
		}
	}
	last := stages[len(stages)-1]
	if strings.HasPrefix(last, "golang") {
		t.Errorf("the final stage is %s: it should be a small image, not the Go toolchain", last)
	}

	var finalText strings.Builder
	for _, in := range final {
		finalText.WriteString(in.op + " " + in.args + "\n")
	}
	ft := finalText.String()
	for _, want := range []string{"git", "ca-certificates", "safe.directory"} {
		if !strings.Contains(ft, want) {
			t.Errorf("the final stage lacks %s:\n%s", want, ft)
		}
	}
	var entry []string
	for _, in := range final {
		if in.op == "ENTRYPOINT" {
			entry = nil
			if err := yaml.Unmarshal([]byte(in.args), &entry); err != nil || len(entry) == 0 {
				t.Fatalf("ENTRYPOINT %s: want the exec form [\"/path/htgit\"] (%v)", in.args, err)
			}
		}
	}
	if len(entry) == 0 {
		t.Fatal("the final stage has no ENTRYPOINT")
	}
	copied := false
	for _, in := range final {
		f := strings.Fields(in.args)
		if in.op == "COPY" && len(f) > 0 && f[len(f)-1] == entry[0] {
			copied = true
		}
	}
	if !copied {
		t.Errorf("ENTRYPOINT %s is not a file the final stage copies in", entry[0])
	}
}

// checkGoBuild checks one RUN go build: static, the package exists and is a
// command, and every -X names a string variable of its package.
func checkGoBuild(t *testing.T, in dockerInstr, builtTo map[string]bool) {
	t.Helper()
	cmd := in.args[strings.Index(in.args, "go build"):]
	if !strings.Contains(in.args, "CGO_ENABLED=0") {
		t.Errorf("line %d: go build without CGO_ENABLED=0 makes a binary that needs libc", in.line)
	}
	f := strings.Fields(cmd)
	pkg := f[len(f)-1]
	if !strings.HasPrefix(pkg, "./") {
		t.Fatalf("line %d: go build's last argument %q is not a package directory", in.line, pkg)
	}
	if name := packageName(t, filepath.Join(repoRoot, filepath.FromSlash(pkg))); name != "main" {
		t.Errorf("line %d: go build %s: package %q, want main", in.line, pkg, name)
	}
	if i := slices.Index(f, "-o"); i >= 0 && i+1 < len(f) {
		builtTo[f[i+1]] = true
	} else {
		t.Errorf("line %d: go build has no -o", in.line)
	}
	xs := regexp.MustCompile(`-X\s+([^\s"=]+)\.([A-Za-z_][A-Za-z0-9_]*)=`).FindAllStringSubmatch(cmd, -1)
	if len(xs) == 0 {
		t.Errorf("line %d: go build sets no version with -ldflags -X", in.line)
	}
	for _, x := range xs {
		rel, ok := strings.CutPrefix(x[1], "github.com/htgit/htgit/")
		if !ok {
			t.Errorf("line %d: -X %s.%s is not in this module", in.line, x[1], x[2])
			continue
		}
		if !isStringVar(t, filepath.Join(repoRoot, filepath.FromSlash(rel)), x[2]) {
			t.Errorf("line %d: -X %s.%s: no package-level string var %s there; the linker would ignore it", in.line, x[1], x[2], x[2])
		}
	}
}

func packageName(t *testing.T, dir string) string {
	t.Helper()
	files := parseDir(t, dir, parser.PackageClauseOnly)
	if len(files) == 0 {
		t.Fatalf("no Go package in %s", dir)
	}
	return files[0].Name.Name
}

// parseDir parses the non-test Go files of dir.
func parseDir(t *testing.T, dir string, mode parser.Mode) []*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, mode)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// isStringVar reports whether the package in dir declares a package-level
// var name of type string without an initializer from a function call
// (what -X can set).
func isStringVar(t *testing.T, dir, name string) bool {
	t.Helper()
	for _, f := range parseDir(t, dir, 0) {
		{
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					continue
				}
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, id := range vs.Names {
						if id.Name != name {
							continue
						}
						if typ, ok := vs.Type.(*ast.Ident); ok && typ.Name == "string" {
							return true
						}
						if vs.Type == nil && i < len(vs.Values) {
							b, ok := vs.Values[i].(*ast.BasicLit)
							return ok && b.Kind == token.STRING
						}
					}
				}
			}
		}
	}
	return false
}

// TestTopLevel keeps the repository's top level to what the project says it
// is, so a reader finds everything where the README points.
func TestTopLevel(t *testing.T) {
	allowed := map[string]bool{"cmd": true, "internal": true, "action.yml": true, ".pre-commit-hooks.yaml": true,
		"testdata": true, "go.mod": true, "go.sum": true, "Dockerfile": true, "README.md": true, ".ci": true, "docs": true,
		"LICENSE": true, "CHANGELOG.md": true, ".github": true, ".goreleaser.yaml": true, "scripts": true}
	for _, f := range strings.Split(gittest.Run(t, repoRoot, "ls-files"), "\n") {
		top, _, _ := strings.Cut(f, "/")
		if !allowed[top] {
			t.Errorf("%s is at the top level, which holds only cmd/, internal/, testdata/, scripts/, .ci/, .github/, docs/ and the project files", top)
		}
	}
}
