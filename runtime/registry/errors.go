package registry

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Pos is a position in a registry or script file. File is the path as shown to
// users (see DisplayPath); Line is 1-based.
type Pos struct {
	File string
	Line int
}

// String returns "file:line".
func (p Pos) String() string { return p.File + ":" + strconv.Itoa(p.Line) }

// Error is one problem found while loading a registry.
type Error struct {
	Pos Pos
	ID  string // id of the entry the problem belongs to, "" when none
	Msg string // lowercase, specific
}

// Error returns "file:line: ID: msg", or "file:line: msg" without an ID.
func (e *Error) Error() string {
	if e.ID == "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Pos.String() + ": " + e.ID + ": " + e.Msg
}

// Errors is every problem found in one load, sorted by file, line and message.
type Errors []*Error

// Error returns the errors one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns es as an error, or nil when there is none.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// sort orders es by file, then line, then message.
func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Msg < b.Msg
	})
}

// DisplayPath returns abs relative to the current working directory when that
// relative path stays below it, else abs unchanged. Messages then read
// "registry.yaml:12" or "testdata/bad/registry.yaml:7".
func DisplayPath(abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return rel
}
