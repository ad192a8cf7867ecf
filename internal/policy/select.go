package policy

import (
	"slices"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
)

// selection is a chain of field selections from a variable, as written:
// file.config.mode, file["config"].mode, has(file.description),
// file.?config.?mode.
type selection struct {
	root      string   // the variable
	path      []string // the fields, outermost first
	line, col int      // where the chain starts in the expression (col 1-based)
	offset    int32
}

// selections lists the maximal selection chains of the expression, in the
// order they are written. A chain through a comprehension variable or a
// computed index ends where it stops being a constant field.
func selections(a *cel.Ast) []selection {
	native := a.NativeRep()
	info := native.SourceInfo()
	var out []selection
	var visit func(e celast.NavigableExpr)
	visit = func(e celast.NavigableExpr) {
		if root, id, path, ok := chain(e); ok {
			if parent, has := e.Parent(); has {
				if _, _, _, outer := chain(parent); outer {
					goto children // part of a longer chain, counted there
				}
			}
			loc := info.GetStartLocation(id)
			off, _ := info.GetOffsetRange(id)
			out = append(out, selection{root: root, path: path, line: loc.Line(), col: loc.Column() + 1, offset: off.Start})
		}
	children:
		for _, c := range e.Children() {
			visit(c)
		}
	}
	visit(celast.NavigateAST(native))
	slices.SortStableFunc(out, func(a, b selection) int { return int(a.offset - b.offset) })
	return out
}

// chain reports whether e is a variable or a field selection from one, and
// which, with the id of the variable's expression.
func chain(e celast.Expr) (root string, id int64, path []string, ok bool) {
	switch e.Kind() {
	case celast.IdentKind:
		name := e.AsIdent()
		_, cross := crossFile[name]
		return name, e.ID(), nil, name == "file" || name == "change" || cross
	case celast.SelectKind:
		sel := e.AsSelect()
		root, id, path, ok = chain(sel.Operand())
		return root, id, append(path, sel.FieldName()), ok
	case celast.CallKind:
		call := e.AsCall()
		if call.FunctionName() != operators.Index && call.FunctionName() != operators.OptSelect ||
			len(call.Args()) != 2 || call.Args()[1].Kind() != celast.LiteralKind {
			return "", 0, nil, false
		}
		key, isString := call.Args()[1].AsLiteral().(types.String)
		if !isString {
			return "", 0, nil, false
		}
		root, id, path, ok = chain(call.Args()[0])
		return root, id, append(path, string(key)), ok
	}
	return "", 0, nil, false
}
