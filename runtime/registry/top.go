package registry

import (
	"gopkg.in/yaml.v3"
)

// includeRef is one item of a file's `include:` list.
type includeRef struct {
	raw  string // as written
	path string // resolved against the including file's directory
	pos  Pos
}

// decodeTop checks a file's top-level mapping, sets f.ns and returns the
// entry nodes and the includes to read.
func (l *loader) decodeTop(f *file, root *yaml.Node, isRoot bool) ([]*yaml.Node, []*includeRef) {
	root = deref(root)
	var entries []*yaml.Node
	var includes []*includeRef
	nsGiven := false
	if root != nil && !isNull(root) {
		if root.Kind != yaml.MappingNode {
			l.errorf(f.pos(root), "", "registry file must be a mapping, got %s", describe(root))
			return nil, nil
		}
		for _, p := range l.pairs(f, root, "") {
			switch p.key {
			case "version":
				l.scalarTop(f, p)
			case "namespace":
				nsGiven = l.namespace(f, p) || nsGiven
			case "include":
				includes = l.includes(f, p)
			case "entries":
				entries = l.entryList(f, p)
			default:
				l.errorf(f.pos(p.kpos), "", "unknown top-level key %q", p.key)
			}
		}
	}
	if isRoot && !nsGiven {
		l.errorf(Pos{File: f.disp, Line: 1}, "", "missing required top-level key \"namespace\"")
	}
	return entries, includes
}

// pairs returns the key/value pairs of mapping m, reporting non-scalar and
// duplicate keys (those pairs are dropped). id labels the errors.
func (l *loader) pairs(f *file, m *yaml.Node, id string) []pair {
	seen := make(map[string]bool, len(m.Content)/2)
	out := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := deref(m.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			l.errorf(f.pos(m.Content[i]), id, "mapping keys must be strings, got %s", describe(k))
			continue
		}
		if seen[k.Value] {
			l.errorf(f.pos(k), id, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{key: k.Value, kpos: m.Content[i], val: deref(m.Content[i+1])})
	}
	return out
}

func (l *loader) scalarTop(f *file, p pair) {
	if !isNull(p.val) && p.val.Kind != yaml.ScalarNode {
		l.errorf(f.pos(p.val), "", "%s: expected a string, got %s", p.key, describe(p.val))
	}
}

// namespace sets f.ns from a `namespace:` value; it reports whether a valid
// namespace was given.
func (l *loader) namespace(f *file, p pair) bool {
	if isNull(p.val) {
		return false
	}
	if p.val.Kind != yaml.ScalarNode || p.val.ShortTag() == "!!bool" {
		l.errorf(f.pos(p.val), "", "namespace: expected a string, got %s", describe(p.val))
		return true
	}
	if !validName(p.val.Value) {
		l.errorf(f.pos(p.val), "", "invalid namespace %q (use letters, digits, '_', '-' and '.')", p.val.Value)
	}
	f.ns = p.val.Value
	return true
}

func (l *loader) includes(f *file, p pair) []*includeRef {
	if isNull(p.val) {
		return nil
	}
	if p.val.Kind != yaml.SequenceNode {
		l.errorf(f.pos(p.val), "", "include: expected a list, got %s", describe(p.val))
		return nil
	}
	var out []*includeRef
	for _, item := range p.val.Content {
		n := deref(item)
		if n == nil || n.Kind != yaml.ScalarNode || isNull(n) || n.Value == "" {
			l.errorf(f.pos(item), "", "include: expected a file path, got %s", describe(n))
			continue
		}
		target, ok := l.fsys.join(f.dir, n.Value)
		if !ok {
			l.errorf(f.pos(item), "", "include %q: path leaves the registry's file system", n.Value)
			continue
		}
		out = append(out, &includeRef{raw: n.Value, path: target, pos: f.pos(item)})
	}
	return out
}

func (l *loader) entryList(f *file, p pair) []*yaml.Node {
	if isNull(p.val) {
		return nil
	}
	if p.val.Kind != yaml.SequenceNode {
		l.errorf(f.pos(p.val), "", "entries: expected a list, got %s", describe(p.val))
		return nil
	}
	return p.val.Content
}
