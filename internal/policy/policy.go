// Package policy compiles the policies a team writes in .htgit.yaml and
// evaluates them on parsed Git Sync files. A policy is a CEL expression
// (github.com/google/cel-go) stating what must hold, as in Kubernetes'
// ValidatingAdmissionPolicy: true means the file complies, false is a finding
// with the policy's id, level and message. The variables are typed wherever
// htgit knows the shape, so a misspelt field is refused when the
// configuration is read, not discovered file by file.
package policy

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/suggest"
	"github.com/htgit/htgit/internal/workspace"
)

// Def is a policy as the configuration writes it.
type Def struct {
	ID         string
	Kinds      []string // kind names (workspace.KindSpec.Name); empty for every kind
	Expression string
	Message    string           // empty: the expression itself is quoted
	Level      finding.Severity // finding.Warning unless the configuration says otherwise
}

// Levels are the words a policy's level is written in.
var Levels = map[string]finding.Severity{"error": finding.Error, "warning": finding.Warning, "notice": finding.Notice}

// Policy is a compiled policy.
type Policy struct {
	Def
	kinds []workspace.Kind
	prg   cel.Program
	// paths are the field paths of `file` the expression selects, in the
	// order they are written: a finding lands on the first one the file has.
	paths [][]string
	// refKeys are the keys of the file that hold what the cross-file
	// variables name (a sync's model and destination, a model's source):
	// where a finding lands when the expression selects no key of the file.
	refKeys []string
	// uses holds the variables of other files and of the change that the
	// expression reads.
	uses map[string]bool
	// reads is the part of `file` the expression reads (nil: all of it).
	reads need
}

// Field is the part of a definition a compile error is about.
type Field int

const (
	FieldID Field = iota
	FieldKinds
	FieldExpression
)

// Error is a definition htgit refuses. For an expression, Line and Col
// (1-based, Col in runes) are where in the expression the problem is.
type Error struct {
	Field     Field
	Index     int // the kind's index, for FieldKinds
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return e.Msg }

// CostLimit bounds the work one expression may do on one file, in cel-go's
// cost units (roughly one per operation and per element a comprehension
// visits). It is Kubernetes' per-expression limit for admission policies:
// far more than any policy of a Git Sync file needs, and a few milliseconds
// at most, so no policy stalls a run.
const CostLimit = 1_000_000

// maxExpression bounds an expression's length, in runes, before cel-go
// parses it.
const maxExpression = 10_000

// IDPattern is what a policy's id looks like: a rule id as the built-in
// ones are written.
const IDPattern = `^[a-z][a-z0-9]*(-[a-z0-9]+)*$`

var idPattern = regexp.MustCompile(IDPattern)

// Entry is a manifest's entry for a source or destination. The slug is the
// key the file names it by; name and type are empty when no manifest lists
// it.
type Entry struct {
	Slug string `cel:"slug"`
	Name string `cel:"name"`
	Type string `cel:"type"`
}

// env is the one CEL environment every policy compiles in.
var env = sync.OnceValues(func() (*cel.Env, error) {
	yamlMap := cel.MapType(cel.StringType, cel.DynType)
	return cel.NewEnv(
		ext.NativeTypes(reflect.TypeFor[Entry](), ext.ParseStructTags(true)),
		cel.Variable("file", yamlMap),
		cel.Variable("kind", cel.StringType),
		cel.Variable("slug", cel.StringType),
		cel.Variable("path", cel.StringType),
		cel.Variable("change", cel.StringType),
		cel.Variable("model", yamlMap),
		cel.Variable("destination", cel.ObjectType("policy.Entry")),
		cel.Variable("source", cel.ObjectType("policy.Entry")),
		// Kubernetes' admission policies have these libraries too.
		ext.Strings(), ext.Lists(), ext.Sets(), cel.OptionalTypes(),
		// YAML's numbers are int or double as written: let 15 and 15.0 compare.
		cel.CrossTypeNumericComparisons(true),
		cel.ParserExpressionSizeLimit(maxExpression),
		cel.ParserRecursionLimit(100),
	)
})

// crossFile are the variables that come from another file, the kinds they
// are known for, and the key of the file that names that other file.
var crossFile = map[string]struct {
	kind workspace.Kind
	key  string
}{
	"model":       {workspace.Sync, "model"},
	"destination": {workspace.Sync, "destination"},
	"source":      {workspace.Model, "source"},
}

// Compile checks a definition and compiles its expression. It does not check
// the id against other policies: that is the configuration's to do.
func Compile(d Def) (*Policy, *Error) {
	if !idPattern.MatchString(d.ID) {
		return nil, &Error{Field: FieldID, Msg: fmt.Sprintf("policy id %q: write lowercase letters, digits and dashes, e.g. model-described", d.ID)}
	}
	if _, ok := rules.Lookup(d.ID); ok {
		return nil, &Error{Field: FieldID, Msg: fmt.Sprintf("policy id %q is a built-in rule's; choose another id (`htgit rules` lists the built-in ones)", d.ID)}
	}
	p := &Policy{Def: d, uses: map[string]bool{}}
	for i, name := range d.Kinds {
		k, ok := kindNamed(name)
		if !ok {
			return nil, &Error{Field: FieldKinds, Index: i, Msg: fmt.Sprintf("unknown kind %q; the kinds are %s", name, strings.Join(KindNames(), ", "))}
		}
		p.kinds = append(p.kinds, k)
	}
	if len(p.kinds) == 0 {
		p.kinds = workspace.Kinds()
	}
	e, err := env()
	if err != nil {
		panic(fmt.Sprintf("policy: the CEL environment does not build: %v", err))
	}
	ast, iss := e.Compile(d.Expression)
	if iss.Err() != nil {
		first := iss.Errors()[0]
		return nil, &Error{Field: FieldExpression, Line: max(first.Location.Line(), 1), Col: max(first.Location.Column(), 0) + 1,
			Msg: "the expression does not compile: " + first.Message}
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, &Error{Field: FieldExpression, Line: 1, Col: 1,
			Msg: fmt.Sprintf("the expression gives %s; a policy's expression gives a bool, true where the file complies", ast.OutputType())}
	}
	sel := selections(ast)
	p.reads = need{}
	for _, s := range sel {
		if perr := p.checkSelection(s); perr != nil {
			return nil, perr
		}
		p.uses[s.root] = true
		if s.root == "file" {
			if len(s.path) == 0 {
				p.reads = nil // file as a whole: its size, its keys
			} else if p.reads != nil {
				p.reads.add(s.path)
			}
		}
		switch {
		case s.root == "file" && len(s.path) > 0:
			if !slices.ContainsFunc(p.paths, func(q []string) bool { return slices.Equal(q, s.path) }) {
				p.paths = append(p.paths, s.path)
			}
		case crossFile[s.root].key != "" && !slices.Contains(p.refKeys, crossFile[s.root].key):
			p.refKeys = append(p.refKeys, crossFile[s.root].key)
		}
	}
	p.paths = deepest(p.paths)
	prg, err := e.Program(ast, cel.CostLimit(CostLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, &Error{Field: FieldExpression, Line: 1, Col: 1, Msg: "the expression does not compile: " + err.Error()}
	}
	p.prg = prg
	return p, nil
}

// checkSelection refuses what is certainly wrong in a selection: a
// cross-file variable in a policy for kinds that have none, and a field of
// a file that the kinds' schemas do not list but spell nearly.
func (p *Policy) checkSelection(s selection) *Error {
	at := func(format string, args ...any) *Error {
		return &Error{Field: FieldExpression, Line: s.line, Col: s.col, Msg: fmt.Sprintf(format, args...)}
	}
	if cf, ok := crossFile[s.root]; ok && slices.ContainsFunc(p.kinds, func(k workspace.Kind) bool { return k != cf.kind }) {
		return at("%s is known only for %s files; add kinds: [%s] to this policy", s.root, cf.kind, cf.kind)
	}
	var kinds []workspace.Kind
	switch s.root {
	case "file":
		kinds = p.kinds
	case "model": // a sync's model: a model file
		kinds = []workspace.Kind{workspace.Model}
	default:
		return nil
	}
	if len(s.path) == 0 {
		return nil
	}
	// A schema lists the fields htgit knows; Git Sync may write others, so
	// only a near miss of a known field is certainly a typo.
	var known []string
	for _, k := range kinds {
		known = append(known, topFields(k)...)
	}
	if slices.Contains(known, s.path[0]) {
		return nil
	}
	if near := suggest.Closest(s.path[0], known); near != "" {
		return at("%s.%s: no %s file has the field %s; did you mean %s.%s?", s.root, s.path[0], kindList(kinds), s.path[0], s.root, near)
	}
	return nil
}

// deepest drops the paths that another path extends: in
// `has(file.config) && file.config.mode == "x"` the finding belongs on mode.
func deepest(paths [][]string) [][]string {
	var out [][]string
	for _, p := range paths {
		if !slices.ContainsFunc(paths, func(q []string) bool { return len(q) > len(p) && slices.Equal(q[:len(p)], p) }) {
			out = append(out, p)
		}
	}
	return out
}

// Rule is the policy as a rule: for `htgit rules`, SARIF and configured
// levels.
func (p *Policy) Rule() finding.Rule {
	return finding.Rule{ID: p.ID, Severity: p.Level,
		Summary: p.message(),
		Help:    fmt.Sprintf("A policy of .htgit.yaml: every %s file must satisfy %s", strings.Join(names(p.kinds), ", "), p.Expression)}
}

func (p *Policy) message() string {
	if p.Message != "" {
		return p.Message
	}
	return "policy " + p.ID + " does not hold: " + p.Expression
}

// ReadsChange reports whether the expression reads `change`: only then
// must the change be known (which may cost a git diff).
func (p *Policy) ReadsChange() bool { return p.uses["change"] }

// Applies reports whether the policy checks files of kind k.
func (p *Policy) Applies(k workspace.Kind) bool { return slices.Contains(p.kinds, k) }

func kindNamed(name string) (workspace.Kind, bool) {
	for _, k := range workspace.Kinds() {
		if k.String() == name {
			return k, true
		}
	}
	return 0, false
}

// KindNames lists the kind names a policy's kinds may give.
func KindNames() []string { return names(workspace.Kinds()) }

// names are the kinds' names, in order.
func names(kinds []workspace.Kind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.String()
	}
	return out
}

func kindList(kinds []workspace.Kind) string {
	if len(kinds) == len(workspace.Kinds()) {
		return "Git Sync"
	}
	return strings.Join(names(kinds), " or ")
}

// topFields lists the top-level fields kind k's schema names.
func topFields(k workspace.Kind) []string {
	return schemaFields()[k.Spec().Schema]
}

var schemaFields = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for _, name := range schema.Names {
		src, err := schema.Source(name)
		if err != nil {
			panic(fmt.Sprintf("policy: schema %s: %v", name, err))
		}
		var doc struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(src, &doc); err != nil {
			panic(fmt.Sprintf("policy: schema %s: %v", name, err))
		}
		for f := range doc.Properties {
			out[name] = append(out[name], f)
		}
		slices.Sort(out[name])
	}
	return out
})
