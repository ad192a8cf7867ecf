package config

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/policy"
)

// policies reads and compiles the policies; a problem is at the part of the
// configuration it is about, inside an expression where cel-go says.
func (p *parser) policies(n *yaml.Node) []*policy.Policy {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "policies must be a list of {id, kinds, expression, message, level}")
		return nil
	}
	p.custom = map[string]bool{}
	var out []*policy.Policy
	for _, item := range n.Content {
		def := policy.Def{Level: finding.Warning}
		var idNode, kindsNode, exprNode *yaml.Node
		p.mapping(item, "a policy", func(key, val *yaml.Node) {
			switch key.Value {
			case "id":
				idNode, def.ID = val, p.str(val, "a policy's id")
			case "kinds":
				kindsNode = val
				if val.Kind != yaml.SequenceNode {
					p.fail(val, "kinds must be a list of kind names, e.g. [model, sync]")
					return
				}
				for _, k := range val.Content {
					def.Kinds = append(def.Kinds, p.str(k, "a kind"))
				}
			case "expression":
				exprNode, def.Expression = val, p.str(val, "a policy's expression")
			case "message":
				def.Message = p.str(val, "a policy's message")
			case "level":
				level, ok := policy.Levels[val.Value]
				if val.Kind != yaml.ScalarNode || !ok {
					p.fail(val, "%q is not a policy level; write error, warning or notice", val.Value)
				}
				def.Level = level
			default:
				p.fail(key, "unknown key %q in a policy; the keys are id, kinds, expression, message and level", key.Value)
			}
		})
		if p.err != nil {
			return nil
		}
		if idNode == nil || exprNode == nil {
			p.fail(item, "a policy needs an id and an expression")
			return nil
		}
		if p.custom[def.ID] {
			p.fail(idNode, "policy id %q is given twice; each policy needs its own id", def.ID)
			return nil
		}
		pol, err := policy.Compile(def)
		if err != nil {
			switch err.Field {
			case policy.FieldID:
				p.fail(idNode, "%s", err.Msg)
			case policy.FieldKinds:
				p.fail(kindsNode.Content[err.Index], "policy %s: %s", def.ID, err.Msg)
			case policy.FieldExpression:
				line, col := p.inScalar(exprNode, err.Line, err.Col)
				p.err = &Error{File: p.file, Line: line, Col: col, Msg: "policy " + def.ID + ": " + err.Msg}
			}
			return nil
		}
		p.custom[def.ID] = true
		out = append(out, pol)
	}
	return out
}

// inScalar turns a position inside a scalar's value into one in the file,
// where the scalar's style lets that be told: on one line (plain or
// quoted), or in a literal block (|). Elsewhere it is the scalar's start.
func (p *parser) inScalar(n *yaml.Node, line, col int) (int, int) {
	switch {
	case n.Style&yaml.LiteralStyle != 0:
		// The block starts on the line after the indicator, indented as
		// its first line is.
		lines := bytes.Split(p.src, []byte("\n"))
		if first := n.Line; first < len(lines) && n.Line+line-1 < len(lines) {
			indent := len(lines[first]) - len(bytes.TrimLeft(lines[first], " "))
			return n.Line + line, indent + col
		}
	case !strings.Contains(n.Value, "\n") && line == 1 && n.Style&yaml.FoldedStyle == 0:
		quote := 0
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			quote = 1
		}
		if lines := bytes.Split(p.src, []byte("\n")); n.Line-1 < len(lines) && bytes.ContainsRune(lines[n.Line-1], '\\') {
			break // an escape makes the written and read columns differ
		}
		return n.Line, n.Column + quote + col - 1
	}
	return n.Line, n.Column
}

// at names n's position as errors do.
func (p *parser) at(n *yaml.Node) string { return fmt.Sprintf("%s:%d:%d", p.file, n.Line, n.Column) }

// dbt reads where the dbt project and its manifest are.
func (p *parser) dbt(n *yaml.Node) DBT {
	var d DBT
	p.mapping(n, "dbt", func(key, val *yaml.Node) {
		switch key.Value {
		case "project":
			d.Project, d.ProjectAt = p.str(val, "dbt.project"), p.at(val)
		case "manifest":
			d.Manifest, d.ManifestAt = p.str(val, "dbt.manifest"), p.at(val)
		default:
			p.fail(key, "unknown key %q in dbt; the keys are project (the folder of dbt_project.yml) and manifest (the compiled manifest.json)", key.Value)
		}
	})
	return d
}

// policiesSchema describes policies for editors.
func policiesSchema() map[string]any {
	kinds := policy.KindNames()
	levels := slices.Sorted(maps.Keys(policy.Levels))
	str := func(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
	return map[string]any{"type": "array",
		"description": "The team's own rules, in CEL: each expression states what must hold of a file (true: it complies), as in Kubernetes' ValidatingAdmissionPolicy. Variables: file, kind, slug, path, change; for syncs model and destination ({slug, name, type}); for models source.",
		"items": map[string]any{"type": "object", "additionalProperties": false, "required": []string{"id", "expression"},
			"properties": map[string]any{
				"id":         with(str("The rule id findings carry; usable in rules: and ignore:. Lowercase letters, digits and dashes; not a built-in rule's id."), "pattern", policy.IDPattern),
				"kinds":      map[string]any{"type": "array", "description": "The kinds of file the policy checks; every kind when absent.", "items": map[string]any{"enum": kinds}},
				"expression": str("A CEL expression giving a bool: true where the file complies."),
				"message":    str("What a finding says when the expression is false."),
				"level":      map[string]any{"enum": levels, "description": "The findings' severity; warning when absent."},
			}}}
}

func dbtSchema() map[string]any {
	return map[string]any{"type": "object", "additionalProperties": false,
		"description": "The dbt project whose models dbt_model files name; found in the repository when absent.",
		"properties": map[string]any{
			"project":  map[string]any{"type": "string", "description": "The folder holding dbt_project.yml, relative to the repository root."},
			"manifest": map[string]any{"type": "string", "description": "The compiled manifest.json (dbt's target/manifest.json), relative to the repository root."},
		}}
}
