package registry

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// fileSystem hides whether the registry lives on the OS file system (absolute
// OS paths) or in an fs.FS (slash-separated paths relative to its root).
type fileSystem interface {
	read(p string) ([]byte, error)
	stat(p string) (fs.FileInfo, error)
	dir(p string) string
	// join resolves rel against dir; ok is false when the result cannot be
	// named in this file system (it leaves an fs.FS root).
	join(dir, rel string) (p string, ok bool)
	display(p string) string
}

// osFiles reads the OS file system; paths are absolute.
type osFiles struct{}

func (osFiles) read(p string) ([]byte, error)      { return os.ReadFile(p) }
func (osFiles) stat(p string) (fs.FileInfo, error) { return os.Stat(p) }
func (osFiles) dir(p string) string                { return filepath.Dir(p) }
func (osFiles) display(p string) string            { return DisplayPath(p) }

func (osFiles) join(dir, rel string) (string, bool) {
	rel = filepath.FromSlash(rel)
	if filepath.IsAbs(rel) {
		return filepath.Clean(rel), true
	}
	return filepath.Join(dir, rel), true
}

// fsFiles reads an fs.FS; paths are slash-separated and relative to its root.
type fsFiles struct{ fsys fs.FS }

func (f fsFiles) read(p string) ([]byte, error)      { return fs.ReadFile(f.fsys, p) }
func (f fsFiles) stat(p string) (fs.FileInfo, error) { return fs.Stat(f.fsys, p) }
func (fsFiles) dir(p string) string                  { return path.Dir(p) }
func (fsFiles) display(p string) string              { return p }

func (fsFiles) join(dir, rel string) (string, bool) {
	if path.IsAbs(rel) {
		return rel, false
	}
	p := path.Join(dir, rel)
	return p, fs.ValidPath(p)
}

// describeFileErr turns a read or stat error into a short lowercase reason.
func describeFileErr(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "file not found"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
