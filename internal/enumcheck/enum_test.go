package enumcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/htgit/htgit"

// enum is a named type of basic underlying type with constants of its own.
type enum struct {
	name   string // pkgpath.Type
	values []string
}

// source is the module's non-test Go files, parsed, by package path.
type source struct {
	fset  *token.FileSet
	files map[string][]*ast.File
}

func parseModule(t *testing.T) *source {
	t.Helper()
	src := &source{fset: token.NewFileSet(), files: map[string][]*ast.File{}}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(src.fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := path.Join(module, filepath.ToSlash(rel))
		src.files[pkg] = append(src.files[pkg], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// enums finds every enumeration: a type declared as `type T int` (or any
// basic type) with at least two constants of type T in its package.
// Unexported constants named num* count the values and are none.
func (src *source) enums() map[string]*enum {
	enums := map[string]*enum{}    // by pkgpath.Type
	constOf := map[string]string{} // pkgpath.Const -> pkgpath.Type
	for pkg, files := range src.files {
		basic := map[string]bool{}
		for _, f := range files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.TYPE {
					continue
				}
				for _, s := range g.Specs {
					ts := s.(*ast.TypeSpec)
					if id, ok := ts.Type.(*ast.Ident); ok && ts.Assign == 0 && isBasic(id.Name) {
						basic[ts.Name.Name] = true
					}
				}
			}
		}
		for _, f := range files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				typ := "" // a spec without a type or value repeats the one before
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					switch id, ok := vs.Type.(*ast.Ident); {
					case ok:
						typ = id.Name
					case len(vs.Values) > 0:
						typ = ""
					}
					if !basic[typ] {
						continue
					}
					for _, n := range vs.Names {
						if n.Name == "_" || strings.HasPrefix(n.Name, "num") {
							continue
						}
						key := pkg + "." + typ
						if enums[key] == nil {
							enums[key] = &enum{name: key}
						}
						enums[key].values = append(enums[key].values, n.Name)
						constOf[pkg+"."+n.Name] = key
					}
				}
			}
		}
	}
	for k, e := range enums {
		if len(e.values) < 2 {
			delete(enums, k)
		}
	}
	return enums
}

func isPanic(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	return ok && id.Name == "panic"
}

func isBasic(name string) bool {
	switch name {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "string", "byte", "rune":
		return true
	}
	return false
}

// TestSwitchesAreExhaustive: a switch whose cases name a value of one of
// htgit's enumerations names every value of it, or says in a default
// branch that ends in a panic that the others cannot come there (as a
// switch on a file's Resource where only models and syncs arrive). A
// default that carries on does not excuse a missing value: a value added
// later would fall into it silently.
func TestSwitchesAreExhaustive(t *testing.T) {
	src := parseModule(t)
	enums := src.enums()
	for _, want := range []string{"internal/workspace.Kind", "internal/workspace.Resource", "internal/gitdiff.Status",
		"internal/hightouch.RunStatus", "internal/drift.Status", "internal/deploy.Phase", "internal/finding.Severity"} {
		if enums[module+"/"+want] == nil {
			t.Errorf("%s is not found as an enumeration; the check has lost its way", want)
		}
	}
	problems, switches := src.nonExhaustive(enums)
	for _, p := range problems {
		t.Error(p)
	}
	if switches < 5 {
		t.Errorf("only %d switches on enumerations found; the check has lost its way", switches)
	}
	if testing.Verbose() {
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range enums {
				if !yield(strings.TrimPrefix(k, module+"/")) {
					return
				}
			}
		})
		t.Logf("%d switches on the enumerations %s", switches, strings.Join(names, ", "))
	}
}

// nonExhaustive lists the switches on enums that name some of an
// enumeration's values but not all, and counts the switches on enums.
func (src *source) nonExhaustive(enums map[string]*enum) (problems []string, switches int) {
	valueOf := map[string]string{} // pkgpath.Const -> enum
	for k, e := range enums {
		pkg := k[:strings.LastIndex(k, ".")]
		for _, v := range e.values {
			valueOf[pkg+"."+v] = k
		}
	}
	for pkg, files := range src.files {
		for _, f := range files {
			imports := map[string]string{} // local name -> path
			for _, im := range f.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				name := path.Base(p)
				if im.Name != nil {
					name = im.Name.Name
				}
				imports[name] = p
			}
			// constant names the enumeration value an expression is, if any.
			constant := func(e ast.Expr) string {
				switch e := e.(type) {
				case *ast.Ident:
					return pkg + "." + e.Name
				case *ast.SelectorExpr:
					if x, ok := e.X.(*ast.Ident); ok && imports[x.Name] != "" {
						return imports[x.Name] + "." + e.Sel.Name
					}
				}
				return ""
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sw, ok := n.(*ast.SwitchStmt)
				if !ok || sw.Tag == nil {
					return true
				}
				seen := map[string]bool{}
				on, panics := "", false
				for _, c := range sw.Body.List {
					cc := c.(*ast.CaseClause)
					if cc.List == nil && len(cc.Body) > 0 {
						call, ok := cc.Body[len(cc.Body)-1].(*ast.ExprStmt)
						panics = ok && isPanic(call.X)
					}
					for _, e := range cc.List {
						if k := valueOf[constant(e)]; k != "" {
							on = k
							seen[constant(e)[strings.LastIndex(constant(e), ".")+1:]] = true
						}
					}
				}
				if on == "" {
					return true
				}
				if switches++; panics {
					return true
				}
				var missing []string
				for _, v := range enums[on].values {
					if !seen[v] {
						missing = append(missing, v)
					}
				}
				if len(missing) > 0 {
					problems = append(problems, fmt.Sprintf("%s: the switch on %s does not name %s", src.fset.Position(sw.Pos()), strings.TrimPrefix(on, module+"/"), strings.Join(missing, ", ")))
				}
				return true
			})
		}
	}
	return problems, switches
}

// TestTheCheckFindsAMissingValue: the check itself, on a package of three
// switches on a three-value enumeration: all named; one missing with a
// default that carries on (reported); one missing with a default that
// panics (excused).
func TestTheCheckFindsAMissingValue(t *testing.T) {
	const code = `package p

type Colour int

const (
	Red Colour = iota
	Green
	Blue
	numColours
)

func all(c Colour) int {
	switch c {
	case Red, Green:
		return 1
	case Blue:
	}
	return 0
}

func carriesOn(c Colour) int {
	switch c {
	case Red:
		return 1
	default:
		return 0
	}
}

func panics(c Colour) int {
	switch c {
	case Red, Green:
		return 1
	default:
		panic("cannot happen")
	}
}
`
	src := &source{fset: token.NewFileSet(), files: map[string][]*ast.File{}}
	f, err := parser.ParseFile(src.fset, "p.go", code, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	src.files[module+"/p"] = []*ast.File{f}
	enums := src.enums()
	if e := enums[module+"/p.Colour"]; e == nil || strings.Join(e.values, " ") != "Red Green Blue" {
		t.Fatalf("enumerations %v, want p.Colour of Red Green Blue", enums)
	}
	problems, switches := src.nonExhaustive(enums)
	want := "p.go:22:2: the switch on p.Colour does not name Green, Blue"
	if switches != 3 || len(problems) != 1 || problems[0] != want {
		t.Errorf("%d switches, problems %q; want 3 and %q", switches, problems, want)
	}
}
