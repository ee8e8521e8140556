package registry

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// wantValid returns the entries testdata/valid must load to, in declaration
// order, with paths under root (absolute for Load, fsys-relative for LoadFS)
// and positions shown under disp.
func wantValid(root, disp string) []*Entry {
	dir := func(p string) string { return filepath.ToSlash(filepath.Join(root, p)) }
	if filepath.IsAbs(root) {
		dir = func(p string) string { return filepath.Join(root, p) }
	}
	pos := func(f string, line int) Pos { return Pos{File: filepath.ToSlash(filepath.Join(disp, f)), Line: line} }
	if filepath.IsAbs(disp) || disp == "" {
		pos = func(f string, line int) Pos { return Pos{File: filepath.Join(disp, f), Line: line} }
	}
	life := DefaultLifecycle()
	noAuto := DefaultLifecycle()
	noAuto.AutoStart = false
	restart := DefaultLifecycle()
	restart.Restart = Restart{MaxAttempts: 5, InitialDelay: time.Second, MaxDelay: time.Minute, BackoffFactor: 1.5}
	return []*Entry{
		{ID: "app:gateway", Namespace: "app", Name: "gateway", Kind: KindHTTPService, Pos: pos("registry.yaml", 7), Dir: dir("."),
			Addr: "127.0.0.1:8080", Timeouts: Timeouts{Read: 5 * time.Second, Idle: time.Minute, Write: 10 * time.Second}, Lifecycle: life},
		{ID: "app:admin", Namespace: "app", Name: "admin", Kind: KindHTTPService, Pos: pos("registry.yaml", 14), Dir: dir("."),
			Addr: "127.0.0.1:0", Lifecycle: life},
		{ID: "app:processes", Namespace: "app", Name: "processes", Kind: KindProcessHost, Pos: pos("registry.yaml", 17), Dir: dir("."),
			Workers: 4, QueueSize: 1024, LocalQueueSize: 256, Lifecycle: noAuto},
		{ID: "app:sse", Namespace: "app", Name: "sse", Kind: KindHTTPRouter, Pos: pos("registry.yaml", 25), Dir: dir("."),
			Meta:   map[string]any{"server": "gateway", "comment": "streams", "tags": []any{"a", 1.0}},
			Server: "app:gateway", Prefix: "/sse", Middleware: []string{"cors"},
			Options:        map[string]string{"cors.allow.origins": "*"},
			PostMiddleware: []string{"sse_relay"},
			PostOptions: map[string]string{
				"sserelay.allowed.origins": "http://localhost:8080,https://*.example.com",
				"sserelay.max_queue":       "2048",
				"sserelay.enabled":         "true",
			}},
		{ID: "app:open_stream", Namespace: "app", Name: "open_stream", Kind: KindFunctionLua, Pos: pos("registry.yaml", 37), Dir: dir("."),
			Source: dir("scripts/open_stream.lua"), SourcePos: pos("registry.yaml", 39), Handler: "handler",
			Modules: []string{"http", "json"}, Imports: map[string]string{"util": "lib:util"}},
		{ID: "app:open_stream.endpoint", Namespace: "app", Name: "open_stream.endpoint", Kind: KindHTTPEndpoint, Pos: pos("registry.yaml", 44), Dir: dir("."),
			Meta: map[string]any{"router": "sse"}, Router: "app:sse", Method: "GET", Path: "/events/{id}", Func: "app:open_stream"},
		{ID: "app:worker", Namespace: "app", Name: "worker", Kind: KindProcessService, Pos: pos("registry.yaml", 50), Dir: dir("."),
			Process: "app:worker_main", Host: "app:processes",
			Input:     []any{1.0, "two", true, nil, map[string]any{"k": []any{1.5}}},
			Lifecycle: restart},
		{ID: "app:worker_main", Namespace: "app", Name: "worker_main", Kind: KindProcessLua, Pos: pos("sub/more.yaml", 5), Dir: dir("sub"),
			Source: dir("scripts/worker.lua"), SourcePos: pos("sub/more.yaml", 7), Handler: "main", Modules: []string{"time"}},
		{ID: "app:api", Namespace: "app", Name: "api", Kind: KindHTTPRouter, Pos: pos("sub/more.yaml", 10), Dir: dir("sub"),
			Meta: map[string]any{"server": "app:gateway"}, Server: "app:gateway"},
		{ID: "app:files", Namespace: "app", Name: "files", Kind: KindHTTPEndpoint, Pos: pos("sub/more.yaml", 13), Dir: dir("sub"),
			Meta: map[string]any{"router": "api"}, Router: "app:api", Method: "POST", Path: "/files/{path...}", Func: "app:open_stream"},
		{ID: "app:admin2", Namespace: "app", Name: "admin2", Kind: KindHTTPService, Pos: pos("sub/more.yaml", 19), Dir: dir("sub"),
			Addr: "127.0.0.1:0", Lifecycle: life},
		{ID: "app:svc2", Namespace: "app", Name: "svc2", Kind: KindProcessService, Pos: pos("sub/more.yaml", 22), Dir: dir("sub"),
			Process: "app:worker_main", Host: "app:processes", Lifecycle: life},
		{ID: "lib:util", Namespace: "lib", Name: "util", Kind: KindLibraryLua, Pos: pos("lib/lib.yaml", 3), Dir: dir("lib"),
			Source: dir("lib/util.lua"), SourcePos: pos("lib/lib.yaml", 5), Modules: []string{"json"}},
	}
}

func checkEntries(t *testing.T, reg *Registry, want []*Entry) {
	t.Helper()
	if len(reg.Entries) != len(want) {
		t.Fatalf("got %d entries, want %d", len(reg.Entries), len(want))
	}
	for i, w := range want {
		got := reg.Entries[i]
		if !reflect.DeepEqual(got, w) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, *got, *w)
		}
		if reg.ByID[w.ID] != got {
			t.Errorf("ByID[%s] is not entry %d", w.ID, i)
		}
	}
	if len(reg.ByID) != len(want) {
		t.Errorf("ByID has %d entries, want %d", len(reg.ByID), len(want))
	}
}

func TestLoadValid(t *testing.T) {
	reg, errs := Load("testdata/valid/registry.yaml")
	if err := errs.Err(); err != nil {
		t.Fatalf("unexpected errors:\n%v", err)
	}
	abs, err := filepath.Abs("testdata/valid")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(abs, "registry.yaml"); reg.Root != want {
		t.Errorf("Root = %q, want %q", reg.Root, want)
	}
	wantFiles := []string{
		filepath.Join(abs, "registry.yaml"),
		filepath.Join(abs, "sub/more.yaml"),
		filepath.Join(abs, "lib/lib.yaml"), // included twice, read once
	}
	if !reflect.DeepEqual(reg.Files, wantFiles) {
		t.Errorf("Files = %q, want %q", reg.Files, wantFiles)
	}
	checkEntries(t, reg, wantValid(abs, "testdata/valid"))
}

func TestLoadFSValid(t *testing.T) {
	reg, errs := LoadFS(testFS(t), "valid/registry.yaml")
	if err := errs.Err(); err != nil {
		t.Fatalf("unexpected errors:\n%v", err)
	}
	want := []string{"valid/registry.yaml", "valid/sub/more.yaml", "valid/lib/lib.yaml"}
	if reg.Root != want[0] || !reflect.DeepEqual(reg.Files, want) {
		t.Errorf("Root = %q, Files = %q", reg.Root, reg.Files)
	}
	checkEntries(t, reg, wantValid("valid", "valid"))
}

func TestOfKind(t *testing.T) {
	reg, errs := LoadFS(testFS(t), "valid/registry.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tests := []struct {
		kind Kind
		want []string
	}{
		{KindHTTPService, []string{"app:gateway", "app:admin", "app:admin2"}},
		{KindHTTPRouter, []string{"app:sse", "app:api"}},
		{KindHTTPEndpoint, []string{"app:open_stream.endpoint", "app:files"}},
		{KindFunctionLua, []string{"app:open_stream"}},
		{KindProcessLua, []string{"app:worker_main"}},
		{KindLibraryLua, []string{"lib:util"}},
		{KindProcessHost, []string{"app:processes"}},
		{KindProcessService, []string{"app:worker", "app:svc2"}},
		{Kind("nope"), nil},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range reg.OfKind(tt.kind) {
			got = append(got, e.ID)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("OfKind(%s) = %q, want %q", tt.kind, got, tt.want)
		}
	}
}
