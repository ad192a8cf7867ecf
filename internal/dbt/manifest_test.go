package dbt

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/memtest"
)

const fixture = "../../testdata/dbt/analytics/target/manifest.json"

func TestReadManifest(t *testing.T) {
	t.Parallel()
	m, err := ReadManifest(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 12 {
		t.Errorf("version = %d", m.Version)
	}
	want := map[string]string{
		"model.analytics.stg_customers":   "models/staging/stg_customers.sql",
		"model.analytics.stg_orders":      "models/staging/stg_orders.sql",
		"model.analytics.dim_customers":   "models/marts/dim_customers.sql",
		"model.analytics.dim_accounts.v2": "models/marts/dim_accounts_v2.sql",
		"model.analytics.fct_orders":      "models/marts/fct_orders.py",
	}
	if fmt.Sprint(m.Models) != fmt.Sprint(want) {
		t.Errorf("models = %v\nwant %v", m.Models, want)
	}
	if len(m.Disabled) != 1 || !m.Disabled["model.analytics.legacy_customers"] {
		t.Errorf("disabled = %v", m.Disabled)
	}
}

// TestFixtureManifestShape holds the fixture to what dbt's manifest schema
// v12 requires at the top and of a model node (it was validated against the
// published schema when written; see testdata/dbt/README.md).
func TestFixtureManifestShape(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"metadata", "nodes", "sources", "macros", "docs", "exposures", "metrics", "groups", "selectors",
		"disabled", "parent_map", "child_map", "group_map", "saved_queries", "semantic_models", "unit_tests",
		"database", "schema", "name", "resource_type", "package_name", "path", "original_file_path", "unique_id", "fqn", "alias", "checksum"} {
		if !strings.Contains(string(src), `"`+key+`":`) {
			t.Errorf("the fixture lacks %q, which the schema requires", key)
		}
	}
}

func TestReadManifestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct{ name, src, want string }{
		{"truncated", `{"metadata": {}, "nodes": {"model.a.b": {"resource_type": "mo`, "the file ends early"},
		{"not json", `{"nodes": nope}`, "not valid JSON at byte"},
		{"cut after a key's value", `{"metadata": {}`, "the file ends early"},
		{"not an object", `[1, 2]`, "not a dbt manifest"},
		{"nodes not an object", `{"nodes": [1]}`, "expected an object"},
		{"old", `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v6.json"}, "nodes": {}}`, "manifest schema older than v7: it is v6"},
	}
	for _, tt := range tests {
		p := filepath.Join(dir, tt.name+".json")
		if err := os.WriteFile(p, []byte(tt.src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadManifest(p)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want %q", tt.name, err, tt.want)
		}
		if tt.name == "old" && !errors.Is(err, ErrOldManifest) {
			t.Errorf("old: %v is not ErrOldManifest", err)
		}
	}
}

// writeBigManifest writes a manifest of about mb megabytes: nodes whose
// compiled SQL is 20 KB each, as big projects' are, and as many macros.
func writeBigManifest(tb testing.TB, path string, mb int) int {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	sql := strings.Repeat("select a, b, c from some_table where x = 1\\n", 20_000/44)
	n := mb * 1024 / 42 // each node and macro together are about 42 KB
	fmt.Fprint(w, `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "project_name": "big"}, "nodes": {`)
	for i := range n {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `"model.big.m%d": {"resource_type": "model", "name": "m%d", "original_file_path": "models/m%d.sql", "config": {"enabled": true, "tags": ["a", "b"]}, "raw_code": "%s", "compiled_code": "%s", "columns": {"id": {"name": "id"}}}`, i, i, i, sql[:len(sql)/2], sql[:len(sql)/2])
	}
	fmt.Fprint(w, `}, "macros": {`)
	for i := range n {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `"macro.big.x%d": {"macro_sql": "%s", "arguments": [1, [2, {"a": null}]]}`, i, sql)
	}
	fmt.Fprint(w, `}, "parent_map": {}, "disabled": null}`)
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// heapGrowth is the most heap fn held beyond what was live before it.
func heapGrowth(fn func()) uint64 {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := memtest.PeakHeap(fn)
	return peak - min(peak, before.HeapAlloc)
}

// TestReadManifestBounded reads a 40 MB manifest holding a few MB of heap:
// one node or macro at a time, never the file. (Not parallel: the bound is
// measured on the process's heap.)
func TestReadManifestBounded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "manifest.json")
	n := writeBigManifest(t, p, 40)
	var m *Manifest
	growth := heapGrowth(func() {
		var err error
		if m, err = ReadManifest(p); err != nil {
			t.Fatal(err)
		}
	})
	if len(m.Models) != n {
		t.Fatalf("%d models; want %d", len(m.Models), n)
	}
	t.Logf("a %d-node 40 MB manifest: heap grew by %.1f MB", n, float64(growth)/(1<<20))
	if limit := uint64(8 << 20); growth > limit {
		t.Errorf("reading a 40 MB manifest grew the heap by %d MB; want under %d MB", growth>>20, limit>>20)
	}
}

// BenchmarkReadManifest300MB reports the heap a 300 MB manifest needs and
// how fast it is read.
func BenchmarkReadManifest300MB(b *testing.B) {
	p := filepath.Join(b.TempDir(), "manifest.json")
	writeBigManifest(b, p, 300)
	info, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	var growth uint64
	var took time.Duration
	for b.Loop() {
		start := time.Now()
		growth = max(growth, heapGrowth(func() {
			if _, err := ReadManifest(p); err != nil {
				b.Fatal(err)
			}
		}))
		took += time.Since(start)
	}
	b.ReportMetric(float64(info.Size())/(1<<20), "manifest-MB")
	b.ReportMetric(float64(growth)/(1<<20), "heap-growth-MB")
	b.ReportMetric(float64(info.Size())/(1<<20)/(took.Seconds()/float64(b.N)), "MB/s")
}
