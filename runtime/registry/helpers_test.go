package registry

import (
	"io/fs"
	"os"
	"testing"
	"testing/fstest"
)

// testFS copies testdata into a MapFS so LoadFS sees the same files as Load.
func testFS(t *testing.T) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	root := os.DirFS("testdata")
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, p)
		out[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mapFS builds a MapFS from path -> content.
func mapFS(files map[string]string) fstest.MapFS {
	out := fstest.MapFS{}
	for p, s := range files {
		out[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return out
}
