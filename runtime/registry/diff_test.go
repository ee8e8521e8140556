package registry

import (
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	const base = "namespace: app\nentries:\n" +
		"  - {name: a, kind: process.host}\n" +
		"  - {name: b, kind: http.service, addr: \":8080\"}\n" +
		"  - {name: c, kind: process.host, host: {workers: 1}}\n"
	tests := []struct {
		name string
		next string
		want Changes
	}{
		{"same", base, Changes{}},
		{"moved lines only", "namespace: app\n\n\nentries:\n" +
			"  - {name: c, kind: process.host, host: {workers: 1}}\n" +
			"  - {name: b, kind: http.service, addr: \":8080\"}\n" +
			"  - {name: a, kind: process.host}\n", Changes{}},
		{"add remove change", "namespace: app\nentries:\n" +
			"  - {name: b, kind: http.service, addr: \":9090\"}\n" +
			"  - {name: c, kind: process.host, host: {workers: 2}}\n" +
			"  - {name: d, kind: process.host}\n",
			Changes{Added: []string{"app:d"}, Removed: []string{"app:a"}, Changed: []string{"app:b", "app:c"}}},
	}
	old := mustLoad(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(old, mustLoad(t, tt.next))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Diff = %+v, want %+v", got, tt.want)
			}
			if got.Empty() != tt.want.Empty() {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}
}

func TestDiffNil(t *testing.T) {
	reg := mustLoad(t, "namespace: app\nentries:\n  - {name: a, kind: process.host}\n")
	if got := Diff(nil, reg); !reflect.DeepEqual(got.Added, []string{"app:a"}) {
		t.Errorf("Diff(nil, reg) = %+v", got)
	}
	if got := Diff(reg, nil); !reflect.DeepEqual(got.Removed, []string{"app:a"}) {
		t.Errorf("Diff(reg, nil) = %+v", got)
	}
	if !Diff(nil, nil).Empty() {
		t.Error("Diff(nil, nil) not empty")
	}
}

func mustLoad(t *testing.T, root string) *Registry {
	t.Helper()
	reg, errs := LoadFS(mapFS(map[string]string{"r.yaml": root}), "r.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return reg
}
