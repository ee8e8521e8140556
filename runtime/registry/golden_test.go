package registry

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*/want.txt and the FuzzLoad seed corpus")

// goldenCases are the testdata directories holding a broken registry and the
// exact error list it must produce.
func goldenCases(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("testdata/*/registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		dir := filepath.Dir(d)
		if filepath.Base(dir) != "valid" {
			out = append(out, dir)
		}
	}
	if len(out) < 10 {
		t.Fatalf("want at least 10 golden cases, found %d", len(out))
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, dir := range goldenCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, errs := Load(filepath.Join(dir, "registry.yaml"))
			if len(errs) == 0 {
				t.Fatal("broken registry loaded without errors")
			}
			got := errs.Error() + "\n"
			wantFile := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ (run with -update to accept)\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}

// TestGoldenIsSorted checks that every error list is sorted and carries a
// position, independent of the golden files' content.
func TestGoldenIsSorted(t *testing.T) {
	for _, dir := range goldenCases(t) {
		_, errs := Load(filepath.Join(dir, "registry.yaml"))
		for i, e := range errs {
			if e.Pos.File == "" || e.Pos.Line < 1 {
				t.Errorf("%s: error without position: %v", dir, e)
			}
			if i > 0 && less(e, errs[i-1]) {
				t.Errorf("%s: errors not sorted at %d: %v after %v", dir, i, e, errs[i-1])
			}
		}
	}
}

func less(a, b *Error) bool {
	if a.Pos.File != b.Pos.File {
		return a.Pos.File < b.Pos.File
	}
	if a.Pos.Line != b.Pos.Line {
		return a.Pos.Line < b.Pos.Line
	}
	return a.Msg < b.Msg
}

// TestUpdateFuzzSeeds writes every testdata registry as a FuzzLoad seed when
// run with -update, so the corpus follows the golden cases.
func TestUpdateFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("only with -update")
	}
	files, err := filepath.Glob("testdata/*/registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seedDir := filepath.Join("testdata", "fuzz", "FuzzLoad")
	if err := os.MkdirAll(seedDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seed := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
		name := filepath.Join(seedDir, "seed_"+filepath.Base(filepath.Dir(f)))
		if err := os.WriteFile(name, []byte(seed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
