package registry

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// validName reports whether s is a valid entry name or namespace: letters,
// digits, '_', '-' and '.'.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		ok := r == '_' || r == '-' || r == '.' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// fullID joins a namespace and a name. An empty namespace (a root file that
// forgot it, already reported) leaves the bare name.
func fullID(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + ":" + name
}

// qualify turns a reference into a full id: "ns:name" is taken as is, a bare
// name resolves in ns.
func qualify(ns, raw string) (string, bool) {
	if refNS, name, found := strings.Cut(raw, ":"); found {
		return raw, validName(refNS) && validName(name)
	}
	return fullID(ns, raw), validName(raw)
}

// ref is a reference from one entry's field to another entry, resolved once
// every file is loaded.
type ref struct {
	id    string // referring entry, for messages
	field string
	raw   string
	ns    string // namespace of the referring file
	pos   Pos
	want  Kind
	set   func(fullID string)
}

// ref records a reference in field name to an entry of kind want.
func (c *entryCtx) ref(name string, v *yaml.Node, want Kind, set func(string)) {
	s, ok := c.str(name, v)
	if !ok {
		return
	}
	c.l.refs = append(c.l.refs, &ref{
		id: c.id, field: name, raw: s, ns: c.f.ns, pos: c.f.pos(v), want: want, set: set,
	})
}

// resolveRefs sets every reference's full id and reports dangling references
// and references to entries of the wrong kind. A reference to an entry of an
// unknown kind is not reported again (the kind already was).
func (l *loader) resolveRefs() {
	for _, r := range l.refs {
		id, ok := qualify(r.ns, r.raw)
		if !ok {
			l.errorf(r.pos, r.id, "%s: invalid reference %q", r.field, r.raw)
			continue
		}
		r.set(id)
		kind, found := l.kinds[id]
		switch {
		case !found:
			l.errorf(r.pos, r.id, "%s: reference %q (%s) not found", r.field, r.raw, id)
		case kind.Known() && kind != r.want:
			l.errorf(r.pos, r.id, "%s: reference %q (%s) has kind %s, want %s", r.field, r.raw, id, kind, r.want)
		}
	}
}
