package deploy

import (
	"context"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/fielddiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// apply creates or updates the changed models, then the changed syncs (which
// may name those models), through the API. It writes only what differs, so
// running it twice makes no writes the second time.
func (d *deployer) apply(ctx context.Context) ([]ResourceResult, error) {
	var results []ResourceResult
	for _, res := range workspace.DeployedResources() {
		for _, r := range d.Plan.Changed {
			if r.Kind.Resource() != res {
				continue
			}
			res := d.applyOne(ctx, r)
			d.logf("%s %s: %s%s", r.Kind, r.Slug, res.Result, detail(res.Diff))
			d.logChanges(res.Changes)
			results = append(results, res)
		}
		// Syncs resolve model slugs to ids, and triggers need sync ids: see
		// what was just written.
		if err := d.snap.Refresh(ctx, d.Client); err != nil {
			return results, err
		}
	}
	return results, nil
}

// logChanges logs the long text changes as unified diffs: detail gives
// only their line counts.
func (d *deployer) logChanges(changes []fielddiff.Change) {
	for _, c := range changes {
		if c.Long() {
			var b strings.Builder
			WriteChanges(&b, "    ", []fielddiff.Change{c})
			d.logf("%s", strings.TrimRight(b.String(), "\n"))
		}
	}
}

func detail(diff []string) string {
	if len(diff) == 0 {
		return ""
	}
	return " (" + strings.Join(diff, "; ") + ")"
}

func (d *deployer) applyOne(ctx context.Context, r plan.Resource) ResourceResult {
	res := ResourceResult{Resource: r}
	root, err := compare.ReadDoc(d.dir(), r.Path, r.Kind)
	if err != nil {
		res.Result = "unreadable: " + err.Error()
		return res
	}
	exists, diff, err := d.compare(r)
	switch {
	case err != nil:
		res.Result = "failed: " + err.Error()
		return res
	case exists && len(diff) == 0:
		res.Result, res.OK = "unchanged", true
		return res
	}
	switch r.Kind.Resource() {
	case workspace.ModelResource:
		err = d.writeModel(ctx, r.Slug, root, exists)
	case workspace.SyncResource:
		err = d.writeSync(ctx, r.Slug, root, exists)
	default:
		panic(fmt.Sprintf("deploy: %v files are not deployed", r.Kind))
	}
	res.setChanges(diff)
	if err != nil {
		res.Result = "failed: " + err.Error()
		return res
	}
	res.OK = true
	res.Result = "created"
	if exists {
		res.Result = "updated"
	}
	return res
}

func (d *deployer) writeModel(ctx context.Context, slug string, root *yaml.Node, exists bool) error {
	want := compare.ModelFromFile(root)
	if exists {
		have := compare.ModelFromAPI(d.snap.Models[slug], d.snap.SourceSlugs)
		if have.Source != want.Source || have.QueryType != want.QueryType {
			return fmt.Errorf("the API cannot move a model to another source or query type (Hightouch has %s/%s); change it in Hightouch or let Git Sync ingest it (--ingest wait)", have.Source, have.QueryType)
		}
		update := hightouch.ModelUpdate{Name: want.Name, PrimaryKey: want.PrimaryKey}
		if strings.TrimSpace(have.Query) != strings.TrimSpace(want.Query) {
			// Only a changed query is sent: a dbt model's primary key can
			// be updated without the dbt model id the file lacks.
			var err error
			if update.Raw, update.Table, err = modelQuery(want); err != nil {
				return err
			}
		}
		_, err := d.Client.UpdateModel(ctx, d.snap.Models[slug].ID, update)
		return err
	}
	raw, table, err := modelQuery(want)
	if err != nil {
		return err
	}
	source, ok := d.snap.Sources[want.Source]
	if !ok {
		return fmt.Errorf("no source %q in Hightouch", want.Source)
	}
	_, err = d.Client.CreateModel(ctx, hightouch.ModelCreate{
		Name: want.Name, Slug: slug, QueryType: compare.QueryTypes[want.QueryType], SourceID: source.ID,
		PrimaryKey: want.PrimaryKey, Raw: raw, Table: table,
	})
	return err
}

// modelQuery builds the API's query field for a model. dbt models name
// Hightouch's own dbt model id, which the file does not carry.
func modelQuery(m compare.Model) (*hightouch.RawQuery, *hightouch.TableQuery, error) {
	switch m.QueryType {
	case "raw_sql":
		return &hightouch.RawQuery{SQL: m.Query}, nil, nil
	case "table":
		return nil, &hightouch.TableQuery{Name: m.Query}, nil
	}
	return nil, nil, fmt.Errorf("--ingest apply cannot write %s models: the API needs Hightouch's internal dbt model id; let Git Sync ingest them (--ingest wait)", m.QueryType)
}

func (d *deployer) writeSync(ctx context.Context, slug string, root *yaml.Node, exists bool) error {
	want := compare.SyncFromFile(root)
	_, configNode := workspace.Lookup(root, "config")
	config, _ := workspace.Value(configNode).(map[string]any)
	_, scheduleNode := workspace.Lookup(root, "schedule")
	schedule := compare.APISchedule(workspace.Value(scheduleNode))
	paused := want.Paused
	if exists {
		have := compare.SyncFromAPI(d.snap.Syncs[slug], d.snap.ModelSlugs, d.snap.DestSlugs)
		if have.Model != want.Model || have.Destination != want.Destination {
			return fmt.Errorf("the API cannot point a sync at another model or destination (Hightouch has %s -> %s); change it in Hightouch or let Git Sync ingest it", have.Model, have.Destination)
		}
		_, err := d.Client.UpdateSync(ctx, d.snap.Syncs[slug].ID, hightouch.SyncUpdate{
			Configuration: config, Schedule: schedule, ManualSchedule: schedule == nil, Disabled: &paused,
		})
		return err
	}
	model, ok := d.snap.Models[want.Model]
	if !ok {
		return fmt.Errorf("no model %q in Hightouch", want.Model)
	}
	dest, ok := d.snap.Destinations[want.Destination]
	if !ok {
		return fmt.Errorf("no destination %q in Hightouch", want.Destination)
	}
	_, err := d.Client.CreateSync(ctx, hightouch.SyncCreate{
		Slug: slug, ModelID: model.ID, DestinationID: dest.ID, Configuration: config, Schedule: schedule, Disabled: paused,
	})
	return err
}
