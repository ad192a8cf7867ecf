package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/memtest"
	"github.com/htgit/htgit/internal/workspace"
)

// Realistic files, shaped like testdata/example: every model type, every
// schedule type, several mappings per sync.
const (
	benchManifest = "sources:\n  snowflake-prod: {name: Snowflake - Prod, type: snowflake}\n  postgres-app: {name: App, type: postgres}\ndestinations:\n  braze-prod: {name: Braze, type: braze}\n  salesforce-prod: {name: Salesforce, type: salesforce}\n  hubspot: {name: HubSpot, type: hubspot}\n"

	benchRawSQL = `name: Active users %[1]d
source: snowflake-prod
type: raw_sql
rawSql: |
  select
    u.user_id,
    u.email,
    u.first_name,
    u.last_name,
    max(e.occurred_at) as last_seen_at
  from analytics.users u
  join analytics.events e on e.user_id = u.user_id
  where e.occurred_at > dateadd(day, -30, current_date)
  group by 1, 2, 3, 4
tableName: null
dbtModel: null
isSchema: false
primaryKey: user_id
description: Users seen in the last 30 days (%[1]d).
`
	benchTable = `name: Accounts %[1]d
source: postgres-app
type: table
rawSql: null
tableName: public.accounts_%[1]d
dbtModel: null
isSchema: false
primaryKey: account_id
`
	benchDBT = `name: Customers %[1]d
source: snowflake-prod
type: dbt_model
rawSql: null
tableName: null
dbtModel: model.analytics.dim_customers_%[1]d
isSchema: false
primaryKey: customer_id
`
	benchSync = `model: model-%[1]d
destination: braze-prod
description: Keep Braze profiles current (%[1]d).
config:
  mode: upsert
  object: users
  externalIdMapping:
    from: user_id
    to: external_id
    type: standard
  mappings:
    - from: email
      to: email
      type: standard
    - to: full_name
      type: template
      template: "{{ row.first_name }} {{ row.last_name }}"
    - to: synced_by
      type: variable
      variable: sync-id
    - to: OwnerId
      type: reference
      lookup:
        object: User
        by: Email
        from: owner_email
%[2]sschedulePaused: false
`
)

var benchSchedules = []string{
	"schedule:\n  type: interval\n  schedule:\n    interval:\n      unit: hour\n      quantity: 1\n",
	"schedule:\n  type: cron\n  schedule:\n    expression: \"0 6 * * 1-5\"\n",
	"schedule:\n  type: visual\n  schedule:\n    expressions:\n      - days:\n          monday: true\n          friday: true\n        time: \"09:30\"\n",
	"schedule:\n  type: manual\n",
}

// writeBenchWorkspace writes n models and n syncs (in folders of 500, as a
// large workspace is organised) and returns the paths written.
func writeBenchWorkspace(tb testing.TB, dir string, n int) []string {
	tb.Helper()
	paths := []string{filepath.Join(dir, "manifest.yaml")}
	contents := []string{benchManifest}
	models := []string{benchRawSQL, benchTable, benchDBT}
	for i := range n {
		group := fmt.Sprintf("g%02d", i/500)
		paths = append(paths,
			filepath.Join(dir, "models", group, fmt.Sprintf("model-%d.yaml", i)),
			filepath.Join(dir, "syncs", group, fmt.Sprintf("sync-%d.yaml", i)))
		contents = append(contents,
			fmt.Sprintf(models[i%len(models)], i),
			fmt.Sprintf(benchSync, i, benchSchedules[i%len(benchSchedules)]))
	}
	for i, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(contents[i]), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return paths
}

// validate is what `htgit validate` does before rendering.
func validate(tb testing.TB, dir string) *Result {
	ws, disc, err := workspace.Discover(workspace.Options{Root: dir})
	if err != nil {
		tb.Fatal(err)
	}
	res, err := Run(context.Background(), ws, disc, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// floor reads and parses the files with yaml.v3, GOMAXPROCS at a time: the
// least any validator built on yaml.v3 must do.
func floor(tb testing.TB, paths []string) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(paths); i = int(next.Add(1)) - 1 {
				src, err := os.ReadFile(paths[i])
				if err != nil {
					tb.Error(err)
					return
				}
				var n yaml.Node
				// A hostile input may not parse: its cost counts all the same.
				_ = yaml.Unmarshal(src, &n)
			}
		})
	}
	wg.Wait()
}

// BenchmarkValidate10k measures a full validate of 10,000 models, 10,000
// syncs and a manifest (20,001 files) against the floor of reading and
// parsing the same files, in paired runs. Targets: validate/floor (the
// median of the pairs' ratios) at most 1.25, peak heap under 300 MB. Run
// it with -benchtime=10x or more for a median worth reading.
func BenchmarkValidate10k(b *testing.B) {
	dir := b.TempDir()
	paths := writeBenchWorkspace(b, dir, 10_000)
	if res := validate(b, dir); len(res.Findings) > 0 || res.Models != 10_000 || res.Syncs != 10_000 {
		b.Fatalf("the generated workspace is not clean: %d models, %d syncs, findings %v", res.Models, res.Syncs, res.Findings[:min(3, len(res.Findings))])
	}
	compareWithFloor(b, dir, paths)
}

// BenchmarkHostile validates the slow inputs of issue 14 (hostileCases)
// against the floor of reading and parsing the same files. Targets:
// validate/floor within a small factor, each under a few seconds, peak heap
// within about 100 MB of the floor's.
func BenchmarkHostile(b *testing.B) {
	for _, c := range hostileCases() {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			paths := c.write(b, dir)
			if c.clean {
				if res := validate(b, dir); len(res.Findings) > 0 {
					b.Fatalf("a valid input has findings: %v", res.Findings[:min(3, len(res.Findings))])
				}
			}
			compareWithFloor(b, dir, paths)
		})
	}
}

// compareWithFloor times validate and the floor in the same iteration, so
// both see the same machine state, and reports the median of each, the
// median of the iterations' ratios, and the peak heap of each.
func compareWithFloor(b *testing.B, dir string, paths []string) {
	var validateTimes, floorTimes, ratios []float64
	var peak, floorPeak uint64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var validateTime, floorTime time.Duration
		// Alternate the order so neither always runs on a warmer cache.
		runFloor := func() {
			runtime.GC()
			start := time.Now()
			floorPeak = max(floorPeak, memtest.PeakHeap(func() { floor(b, paths) }))
			floorTime = time.Since(start)
		}
		if i%2 == 0 {
			runFloor()
		}
		runtime.GC() // each run starts from the same heap
		start := time.Now()
		peak = max(peak, memtest.PeakHeap(func() { validate(b, dir) }))
		validateTime = time.Since(start)
		if i%2 == 1 {
			runFloor()
		}
		validateTimes = append(validateTimes, float64(validateTime.Nanoseconds()))
		floorTimes = append(floorTimes, float64(floorTime.Nanoseconds()))
		ratios = append(ratios, float64(validateTime)/float64(floorTime))
	}
	b.ReportMetric(median(validateTimes), "validate-ns/op")
	b.ReportMetric(median(floorTimes), "floor-ns/op")
	b.ReportMetric(median(ratios), "validate/floor")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(floorPeak)/(1<<20), "floor-peak-heap-MB")
}

// median is the middle value (the mean of the two middle ones for an even
// count): one run disturbed by the machine does not move it.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// BenchmarkValidate20 is a small workspace as a pre-commit hook sees it:
// the target is under 30 ms per run.
func BenchmarkValidate20(b *testing.B) {
	dir := b.TempDir()
	writeBenchWorkspace(b, dir, 10)
	for b.Loop() {
		validate(b, dir)
	}
}
