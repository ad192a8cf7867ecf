package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// schemaModel records a Customer Studio parent, related or event model's
// references. Their format is not public: schema-model.json checks the
// query field of a known type (as warnings), and a primary key is not
// required (related and event models have none).
func (fc *fileCheck) schemaModel(s *summary) {
	root := fc.modelRefs(s)
	// Only an explicit null: the file's format is not public, so a key
	// that is absent may be spelt otherwise.
	if pk := fc.field(root, "primaryKey"); pk.present() {
		s.keyless = isKeyless(pk)
	}
}

// contract checks that every event's JSON Schema compiles as draft 7, the
// draft Hightouch validates events with.
func (fc *fileCheck) contract() {
	_, events := workspace.Lookup(fc.doc.Root, "events")
	events = workspace.Resolve(events)
	if events == nil || events.Kind != yaml.SequenceNode {
		return // the schema step reports a wrong type
	}
	for i, ev := range events.Content {
		_, sch := workspace.Lookup(workspace.Resolve(ev), "schema")
		if sch == nil {
			continue
		}
		if err := compileEventSchema(sch); err != nil {
			if unsure, ok := unsureCompile(err); ok {
				fc.warnAt(rules.ContractEventSchema, sch, fmt.Sprintf("events[%d].schema was not checked: %s", i, unsure))
				continue
			}
			where, msg := sch, err.Error()
			if leaf := metaschemaLeaf(err); leaf != nil {
				// Point at the keyword that breaks the metaschema, not the
				// whole schema.
				if _, v := workspace.At(sch, leaf.InstanceLocation); v != nil && sch.Kind != yaml.ScalarNode {
					where = v
				}
				msg = fmt.Sprintf("at /%s: %s", strings.Join(leaf.InstanceLocation, "/"), leaf.ErrorKind.LocalizedString(english))
			}
			fc.at(rules.ContractEventSchema, where, fmt.Sprintf("events[%d].schema does not compile as JSON Schema (draft 7): %s", i, msg))
		}
	}
}

// errNotJSON is a schema written as a string that is not JSON text.
var errNotJSON = errors.New("not JSON")

// unsureCompile says why a compile error is htgit's limit rather than
// certainly Hightouch's: a $ref htgit does not fetch, a pattern Go's regexp
// engine cannot read (JSON Schema patterns are ECMA-262, with lookaround),
// or a string schema that is not JSON (how Git Sync writes a schema is not
// public). Those are warnings; the rest, errors.
func unsureCompile(err error) (string, bool) {
	var load *jsonschema.LoadURLError
	switch {
	case errors.As(err, &load):
		return fmt.Sprintf("it refers to %s, which htgit does not fetch", load.URL), true
	case errors.Is(err, errTooDeep):
		return err.Error() + "; Hightouch may accept it", true
	case isRegexFormat(metaschemaLeaf(err)):
		return fmt.Sprintf("a pattern at /%s is not one Go's regular expressions read; JSON Schema patterns are ECMA-262 (lookaround included), which Hightouch may accept",
			strings.Join(metaschemaLeaf(err).InstanceLocation, "/")), true
	case errors.Is(err, errNotJSON):
		return err.Error() + "; htgit reads a schema written as a string as JSON text, and how Git Sync writes one is not public", true
	}
	return "", false
}

// metaschemaLeaf is the first broken constraint of a schema that does not
// validate against its metaschema, or nil.
func metaschemaLeaf(err error) *jsonschema.ValidationError {
	var sve *jsonschema.SchemaValidationError
	if !errors.As(err, &sve) {
		return nil
	}
	leaf, ok := sve.Err.(*jsonschema.ValidationError)
	if !ok {
		return nil
	}
	for len(leaf.Causes) > 0 {
		leaf = leaf.Causes[0]
	}
	return leaf
}

// isRegexFormat reports a metaschema failure of format "regex": Go's
// regexp engine rejected a pattern.
func isRegexFormat(leaf *jsonschema.ValidationError) bool {
	if leaf == nil {
		return false
	}
	f, ok := leaf.ErrorKind.(*kind.Format)
	return ok && f.Want == "regex"
}

// maxSchemaDepth bounds the nesting of an event schema htgit compiles: the
// compiler's time grows with the cube of the depth ({"not": ...} 4,000 deep
// took over a minute), and a hand-written schema nests a few levels.
const maxSchemaDepth = 100

// errTooDeep is a schema nested deeper than maxSchemaDepth.
var errTooDeep = fmt.Errorf("it nests deeper than %d levels, more than htgit compiles", maxSchemaDepth)

// noFetch is the compiler's loader: it reads no file and no URL, so a $ref
// to file:///etc/passwd, a FIFO or /dev/stdin is never opened, and a run
// cannot block on one. (The metaschemas are built into the compiler.)
type noFetch struct{}

func (noFetch) Load(string) (any, error) { return nil, errors.New("htgit fetches no other document") }

// tooDeep reports whether v nests deeper than limit containers.
func tooDeep(v any, limit int) bool {
	if limit < 0 {
		return true
	}
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			if tooDeep(x, limit-1) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if tooDeep(x, limit-1) {
				return true
			}
		}
	}
	return false
}

// compileEventSchema compiles a schema written as a mapping or as a JSON
// string. Only the schema itself is loaded: htgit fetches no other document.
func compileEventSchema(n *yaml.Node) error {
	var doc any
	if s, ok := workspace.String(n); ok {
		var err error
		if doc, err = jsonschema.UnmarshalJSON(strings.NewReader(s)); err != nil {
			return fmt.Errorf("the string is %w (%v)", errNotJSON, err)
		}
	} else {
		// Round-trip through JSON so numbers are what the compiler reads.
		raw, err := json.Marshal(workspace.Value(n))
		if err != nil {
			return err
		}
		if doc, err = jsonschema.UnmarshalJSON(strings.NewReader(string(raw))); err != nil {
			return err
		}
	}
	if tooDeep(doc, maxSchemaDepth) {
		return errTooDeep
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noFetch{})
	c.DefaultDraft(jsonschema.Draft7)
	const url = "urn:htgit:event-schema"
	if err := c.AddResource(url, doc); err != nil {
		return err
	}
	_, err := c.Compile(url)
	return err
}

var english = message.NewPrinter(language.English)

// aliases keeps every string an aliases file holds: its format is not
// public, and a slug it names is taken to exist in some workspace.
func (fc *fileCheck) aliases(s *summary) {
	s.aliases = map[string]bool{}
	// Parse bounds the nesting, and an alias node has no content of its
	// own, so the walk ends.
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			s.aliases[n.Value] = true
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(fc.doc.Root)
}
