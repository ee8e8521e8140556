package registry

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// fieldInfo remembers, per entry, where each field's value was written and
// which fields were rejected, for the checks that run after decoding.
type fieldInfo struct {
	pos map[string]Pos
	bad map[string]bool
}

// entryCtx decodes one entry.
type entryCtx struct {
	l    *loader
	f    *file
	e    *Entry
	id   string          // "" while the entry has no name
	seen map[string]bool // fields given a non-null value, for the required check
	info *fieldInfo
}

func (c *entryCtx) errorf(n *yaml.Node, format string, args ...any) {
	c.l.errorf(c.f.pos(n), c.id, format, args...)
}

// reject reports a problem with field's value and marks the field invalid.
func (c *entryCtx) reject(field string, n *yaml.Node, format string, args ...any) {
	c.info.bad[field] = true
	c.errorf(n, "%s: %s", field, fmt.Sprintf(format, args...))
}

// decodeEntry decodes the entry at n and registers it under its id.
func (l *loader) decodeEntry(f *file, n *yaml.Node) {
	at := n
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		l.errorf(f.pos(at), "", "entry must be a mapping, got %s", describe(n))
		return
	}
	e := &Entry{Namespace: f.ns, Dir: f.dir, Pos: f.pos(at)}
	c := &entryCtx{l: l, f: f, e: e, seen: map[string]bool{},
		info: &fieldInfo{pos: map[string]Pos{}, bad: map[string]bool{}}}
	c.nameAndID(lookup(n, "name"))
	pairs := l.pairs(f, n, c.id)
	kindOK := c.kind(pairs)
	if hasLifecycle(e.Kind) {
		e.Lifecycle = DefaultLifecycle()
	}
	for _, p := range pairs {
		c.field(p, kindOK)
	}
	if kindOK {
		c.checkRequired()
	}
	l.info[e] = c.info
	l.register(c, kindOK)
}

// nameAndID reads the `name` field and derives the entry id.
func (c *entryCtx) nameAndID(n *yaml.Node) {
	if isNull(n) {
		c.l.errorf(c.e.Pos, "", "entry has no name")
		return
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" {
		c.l.errorf(c.f.pos(n), "", "name: expected a string, got %s", describe(n))
		return
	}
	if !validName(n.Value) {
		c.errorf(n, "invalid name %q (use letters, digits, '_', '-' and '.')", n.Value)
		return
	}
	c.e.Name = n.Value
	c.e.ID = fullID(c.f.ns, n.Value)
	c.id = c.e.ID
}

// kind reads the `kind` field; it reports whether the kind is known.
func (c *entryCtx) kind(pairs []pair) bool {
	for _, p := range pairs {
		if p.key != "kind" || isNull(p.val) {
			continue
		}
		if p.val.Kind != yaml.ScalarNode {
			c.errorf(p.val, "kind: expected a string, got %s", describe(p.val))
			return false
		}
		c.e.Kind = Kind(p.val.Value)
		if !c.e.Kind.Known() {
			c.errorf(p.val, "unknown kind %q", p.val.Value)
			return false
		}
		return true
	}
	c.l.errorf(c.e.Pos, c.id, "missing required field \"kind\"")
	return false
}

// field decodes one key of the entry. Keys of an unknown kind are not checked.
func (c *entryCtx) field(p pair, kindOK bool) {
	switch p.key {
	case "name", "kind":
		return
	case "meta":
		c.meta(p.val)
		return
	}
	if !kindOK {
		return
	}
	dec, ok := kindFields[c.e.Kind][p.key]
	if !ok {
		c.errorf(p.kpos, "unknown key %q for kind %s", p.key, c.e.Kind)
		return
	}
	if isNull(p.val) {
		return
	}
	c.seen[p.key] = true
	c.info.pos[p.key] = c.f.pos(p.val)
	dec(c, p.key, p.val)
}

func (c *entryCtx) checkRequired() {
	for _, f := range requiredFields[c.e.Kind] {
		if !c.seen[f] {
			c.l.errorf(c.e.Pos, c.id, "missing required field %q", f)
		}
	}
}

// register records the entry's id (even for unknown kinds, so references to
// it are not reported as dangling) and adds valid-kind entries to the registry.
func (l *loader) register(c *entryCtx, kindOK bool) {
	e := c.e
	if e.ID == "" {
		return
	}
	if first, dup := l.first[e.ID]; dup {
		l.errorf(e.Pos, e.ID, "duplicate id %s (first declared at %s)", e.ID, first)
		return
	}
	l.first[e.ID] = e.Pos
	l.kinds[e.ID] = e.Kind
	if !kindOK {
		return
	}
	l.reg.Entries = append(l.reg.Entries, e)
	l.reg.ByID[e.ID] = e
}
