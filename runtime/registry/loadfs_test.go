package registry

import (
	"strings"
	"testing"
)

// TestLoadFSErrors covers what only an fs.FS can express (paths leaving its
// root) and YAML features (anchors, aliases) that need small inline files.
func TestLoadFSErrors(t *testing.T) {
	const head = "namespace: app\nentries:\n"
	tests := []struct {
		name  string
		files map[string]string
		want  string // the whole error list, one per line
	}{
		{
			name:  "include leaves root",
			files: map[string]string{"r.yaml": "namespace: app\ninclude: [../x.yaml, /abs.yaml]\n"},
			want: "r.yaml:2: include \"../x.yaml\": path leaves the registry's file system\n" +
				"r.yaml:2: include \"/abs.yaml\": path leaves the registry's file system",
		},
		{
			name: "source leaves root",
			files: map[string]string{"r.yaml": head +
				"  - {name: l, kind: library.lua, source: \"file://../l.lua\"}\n"},
			want: "r.yaml:3: app:l: source: path \"../l.lua\" leaves the registry's file system",
		},
		{
			name: "self-referencing alias in input",
			files: map[string]string{"r.yaml": head +
				"  - {name: h, kind: process.host}\n" +
				"  - {name: p, kind: process.lua, source: file://s.lua, method: m}\n" +
				"  - name: s\n    kind: process.service\n    process: p\n    host: h\n    input: &a [*a]\n",
				"s.lua": "return {}"},
			want: "r.yaml:9: app:s: input: value nested too deeply (more than 64 levels)",
		},
		{
			name: "alias explosion in meta",
			files: map[string]string{"r.yaml": head +
				"  - name: h\n    kind: process.host\n    meta:\n" +
				"      a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" +
				"      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
				"      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
				"      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"},
			want: "r.yaml:6: app:h: meta: value too large (more than 10000 items, aliases included)",
		},
		{
			name: "aliased entry is a duplicate",
			files: map[string]string{"r.yaml": head +
				"  - &h {name: h, kind: process.host}\n  - *h\n"},
			want: "r.yaml:4: app:h: duplicate id app:h (first declared at r.yaml:3)",
		},
		{
			name:  "unknown anchor",
			files: map[string]string{"r.yaml": head + "  - name: h\n    kind: *nope\n"},
			want:  "r.yaml:4: invalid yaml: unknown anchor 'nope' referenced",
		},
		{
			name:  "non-scalar key",
			files: map[string]string{"r.yaml": head + "  - name: h\n    kind: process.host\n    [a]: 1\n"},
			want:  "r.yaml:5: app:h: mapping keys must be strings, got a list",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := LoadFS(mapFS(tt.files), "r.yaml")
			if got := errs.Error(); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestNamespaceResolution checks bare and full references across files with
// different namespaces.
func TestNamespaceResolution(t *testing.T) {
	files := map[string]string{
		"r.yaml": "namespace: app\ninclude: [lib/l.yaml]\nentries:\n" +
			"  - {name: f, kind: function.lua, source: file://f.lua, method: h, imports: {u: lib:util, v: app:util}}\n" +
			"  - {name: util, kind: library.lua, source: file://f.lua}\n",
		"lib/l.yaml": "namespace: lib\nentries:\n" +
			"  - {name: util, kind: library.lua, source: file://u.lua, modules: [json]}\n" +
			"  - {name: g, kind: function.lua, source: file://u.lua, method: h, imports: {u: util}}\n",
		"f.lua":     "return {}",
		"lib/u.lua": "return {}",
	}
	reg, errs := LoadFS(mapFS(files), "r.yaml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tests := []struct{ id, alias, want string }{
		{"app:f", "u", "lib:util"},
		{"app:f", "v", "app:util"},
		{"lib:g", "u", "lib:util"},
	}
	for _, tt := range tests {
		if got := reg.ByID[tt.id].Imports[tt.alias]; got != tt.want {
			t.Errorf("%s imports %s = %q, want %q", tt.id, tt.alias, got, tt.want)
		}
	}
	if got := reg.ByID["lib:util"].Source; !strings.HasPrefix(got, "lib/") {
		t.Errorf("lib:util source = %q, want it relative to lib/", got)
	}
}
