package registry

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the registry at path from the OS file system, with its includes,
// and validates it. Paths in the result are absolute; positions in errors use
// DisplayPath. The Registry is never nil; when errors are returned it is
// partial and must not be run.
func Load(p string) (*Registry, Errors) {
	abs, err := filepath.Abs(p)
	if err != nil {
		errs := Errors{{Pos: Pos{File: p, Line: 1}, Msg: "cannot resolve registry path: " + err.Error()}}
		return &Registry{Root: p, ByID: map[string]*Entry{}}, errs
	}
	return load(osFiles{}, abs)
}

// LoadFS is Load for a file system: p is slash-separated and relative to
// fsys, and every path in the result (and in errors) is too.
func LoadFS(fsys fs.FS, p string) (*Registry, Errors) {
	return load(fsFiles{fsys: fsys}, path.Clean(p))
}

// loader holds the state of one load. It is used by one goroutine only.
type loader struct {
	fsys   fileSystem
	reg    *Registry
	errs   Errors
	loaded map[string]bool       // files already read (an include seen twice is read once)
	stack  []string              // include chain being read, for cycle detection
	kinds  map[string]Kind       // every declared id, including unknown kinds
	first  map[string]Pos        // where each id was first declared
	info   map[*Entry]*fieldInfo // field positions and rejected fields
	refs   []*ref
}

// file is one YAML file being decoded.
type file struct {
	path string // as the fileSystem names it
	disp string // as shown in messages
	dir  string
	ns   string
}

func (f *file) pos(n *yaml.Node) Pos { return Pos{File: f.disp, Line: lineOf(n)} }

func load(fsys fileSystem, root string) (*Registry, Errors) {
	l := &loader{
		fsys:   fsys,
		reg:    &Registry{Root: root, ByID: map[string]*Entry{}},
		loaded: map[string]bool{},
		kinds:  map[string]Kind{},
		first:  map[string]Pos{},
		info:   map[*Entry]*fieldInfo{},
	}
	l.loadFile(root, "", nil)
	l.resolveRefs()
	l.checkConflicts()
	l.errs.sort()
	return l.reg, l.errs
}

func (l *loader) errorf(pos Pos, id, format string, args ...any) {
	l.errs = append(l.errs, &Error{Pos: pos, ID: id, Msg: fmt.Sprintf(format, args...)})
}

// loadFile reads, decodes and registers one file, then its includes. ns is
// the includer's namespace ("" for the root); from is the include item that
// named the file (nil for the root).
func (l *loader) loadFile(p, ns string, from *includeRef) {
	if l.inStack(p) {
		chain := append(append([]string{}, l.stack...), p)
		for i, c := range chain {
			chain[i] = l.fsys.display(c)
		}
		l.errorf(from.pos, "", "include cycle: %s", strings.Join(chain, " -> "))
		return
	}
	if l.loaded[p] {
		return
	}
	data, err := l.fsys.read(p)
	if err != nil {
		l.readFailed(p, from, err)
		return
	}
	l.loaded[p] = true
	l.reg.Files = append(l.reg.Files, p)
	l.stack = append(l.stack, p)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()

	f := &file{path: p, disp: l.fsys.display(p), dir: l.fsys.dir(p), ns: ns}
	root, line, err := parseYAML(data)
	if err != nil {
		l.errorf(Pos{File: f.disp, Line: line}, "", "%s", err.Error())
		return
	}
	entries, includes := l.decodeTop(f, root, from == nil)
	for _, n := range entries {
		l.decodeEntry(f, n)
	}
	for _, inc := range includes {
		l.loadFile(inc.path, f.ns, inc)
	}
}

func (l *loader) inStack(p string) bool {
	for _, s := range l.stack {
		if s == p {
			return true
		}
	}
	return false
}

func (l *loader) readFailed(p string, from *includeRef, err error) {
	if from == nil {
		l.errorf(Pos{File: l.fsys.display(p), Line: 1}, "", "cannot read registry file: %s", describeFileErr(err))
		return
	}
	l.errorf(from.pos, "", "include %q: %s", from.raw, describeFileErr(err))
}
