package check

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

var (
	slugChars   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	slugInvalid = regexp.MustCompile(`[^A-Za-z0-9_-]+`)
)

// fileStart is where file-level findings point: a file name has no node.
var fileStart = span{finding.Pos{Line: 1, Col: 1}, finding.Pos{Line: 1, Col: 1}}

func (idx *index) slugs() []finding.Finding {
	var out []finding.Finding
	seen := map[string]map[string]workspace.File{} // by slug space
	files := slices.Concat(idx.ws.Files, idx.ws.Skipped)
	slices.SortFunc(files, func(a, b workspace.File) int { return strings.Compare(a.Rel, b.Rel) })
	for _, f := range files {
		space := f.Kind.Spec().SlugSpace
		if space == "" {
			continue
		}
		if !slugChars.MatchString(f.Slug) {
			fixed := strings.Trim(slugInvalid.ReplaceAllString(f.Slug, "-"), "-")
			out = append(out, newFinding(f.Path, rules.SlugInvalid, fileStart,
				fmt.Sprintf("file name %q has characters a slug cannot have; use only A-Z a-z 0-9 - _ (e.g. %q)", f.Slug, fixed)))
		}
		if prev, dup := seen[space][f.Slug]; dup {
			d := newFinding(f.Path, rules.SlugDuplicate, fileStart,
				fmt.Sprintf("%s slug %q is also given by %s; slugs are unique, rename one of the files", space, f.Slug, prev.Rel), prev.Path)
			if prev.Kind != f.Kind {
				// A model and a Customer Studio model: whether Hightouch keeps
				// their slugs apart is not public.
				d.Severity = finding.Warning
				d.Message = fmt.Sprintf("%s slug %q is also given by %s (a %s); if Hightouch keeps %s and %s slugs in one space, as htgit reads it, one of them cannot be ingested: rename one of the files", space, f.Slug, prev.Rel, prev.Kind, prev.Kind, f.Kind)
			}
			out = append(out, d)
			continue
		}
		if seen[space] == nil {
			seen[space] = map[string]workspace.File{}
		}
		seen[space][f.Slug] = f
	}
	return out
}
