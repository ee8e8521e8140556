package registry

import (
	"reflect"
	"sort"
)

// Changes lists the entry ids that differ between two registries, each list
// sorted.
type Changes struct {
	Added   []string // in new only
	Removed []string // in old only
	Changed []string // in both, with any field other than Pos/SourcePos different
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Changed) == 0
}

// Diff compares two registries entry by entry; either may be nil. It looks at
// the registry only: a script whose content changed while its entry did not is
// the script loader's business.
func Diff(old, new *Registry) Changes {
	var c Changes
	oldByID, newByID := byID(old), byID(new)
	for id, n := range newByID {
		o, ok := oldByID[id]
		switch {
		case !ok:
			c.Added = append(c.Added, id)
		case !sameEntry(o, n):
			c.Changed = append(c.Changed, id)
		}
	}
	for id := range oldByID {
		if _, ok := newByID[id]; !ok {
			c.Removed = append(c.Removed, id)
		}
	}
	sort.Strings(c.Added)
	sort.Strings(c.Removed)
	sort.Strings(c.Changed)
	return c
}

func byID(r *Registry) map[string]*Entry {
	if r == nil {
		return nil
	}
	return r.ByID
}

// sameEntry compares two entries ignoring where they were written.
func sameEntry(a, b *Entry) bool {
	x, y := *a, *b
	x.Pos, y.Pos = Pos{}, Pos{}
	x.SourcePos, y.SourcePos = Pos{}, Pos{}
	return reflect.DeepEqual(x, y)
}
