package registry

import (
	"testing"
	"testing/fstest"
)

// fuzzFS is the file system FuzzLoad loads from: the fuzzed root file, one
// script and one includable file.
func fuzzFS(root []byte) fstest.MapFS {
	return fstest.MapFS{
		"registry.yaml":  {Data: root},
		"scripts/a.lua":  {Data: []byte("return {}\n")},
		"inc/extra.yaml": {Data: []byte("entries:\n  - name: extra\n    kind: process.host\n")},
	}
}

// FuzzLoad feeds arbitrary root registry files to LoadFS: it must never panic,
// every error must carry a file and a line, errors must come sorted, and a
// registry that loads cleanly must load to the same result twice.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("namespace: app\nentries:\n  - name: f\n    kind: function.lua\n    source: file://scripts/a.lua\n    method: main\n"))
	f.Add([]byte("namespace: app\ninclude: [inc/extra.yaml, registry.yaml]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, errs := LoadFS(fuzzFS(data), "registry.yaml")
		if reg == nil {
			t.Fatal("nil registry")
		}
		for i, e := range errs {
			if e.Pos.File == "" || e.Pos.Line < 1 {
				t.Fatalf("error without position: %#v", e)
			}
			if e.Msg == "" {
				t.Fatalf("error without message at %s", e.Pos)
			}
			if i > 0 && less(e, errs[i-1]) {
				t.Fatalf("errors not sorted: %v after %v", e, errs[i-1])
			}
		}
		if len(errs) > 0 {
			return
		}
		again, _ := LoadFS(fuzzFS(data), "registry.yaml")
		if c := Diff(reg, again); !c.Empty() {
			t.Fatalf("loading twice differs: %+v", c)
		}
		for _, e := range reg.Entries {
			if reg.ByID[e.ID] != e {
				t.Fatalf("entry %s missing from ByID", e.ID)
			}
		}
	})
}
