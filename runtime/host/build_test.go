package host

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*/want.txt")

// TestBuildErrorsGolden checks the errors the host adds on top of the
// registry's: script compile errors, unknown modules and middleware, and
// library import cycles — all in one run, with file:line and entry id.
func TestBuildErrorsGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*/registry.yaml")
	for _, reg := range dirs {
		dir := filepath.Dir(reg)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, errs := Check(reg)
			var lines []string
			for _, e := range errs {
				lines = append(lines, e.Error())
			}
			got := strings.Join(lines, "\n") + "\n"
			want := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(data) {
				t.Fatalf("got:\n%s\nwant:\n%s", got, data)
			}
		})
	}
}
