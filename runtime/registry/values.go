package registry

import (
	"math"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// The helpers below decode typed values; each reports a problem through
// c.reject and returns ok=false. Field names in messages are dotted paths
// ("timeouts.read", "lifecycle.restart.max_delay").

// str accepts any non-boolean scalar and returns it as written.
func (c *entryCtx) str(field string, n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" || n.ShortTag() == "!!null" {
		c.reject(field, n, "expected a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// strList accepts a list of strings.
func (c *entryCtx) strList(field string, n *yaml.Node) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		c.reject(field, n, "expected a list of strings, got %s", describe(n))
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for _, item := range n.Content {
		v := deref(item)
		s, good := c.str(field, v)
		if good && s == "" {
			c.reject(field, v, "empty string in list")
			good = false
		}
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

// strMap accepts a mapping whose values are scalars; non-string scalars are
// kept in their written form (true, 10, 1.5). Keys are taken literally, dots
// included.
func (c *entryCtx) strMap(field string, n *yaml.Node) (map[string]string, bool) {
	if n.Kind != yaml.MappingNode {
		c.reject(field, n, "expected a mapping of strings, got %s", describe(n))
		return nil, false
	}
	out := map[string]string{}
	ok := true
	for _, p := range c.l.pairs(c.f, n, c.id) {
		switch {
		case isNull(p.val):
			out[p.key] = ""
		case p.val.Kind == yaml.ScalarNode:
			out[p.key] = p.val.Value
		default:
			c.reject(field, p.val, "value of %q: expected a string, got %s", p.key, describe(p.val))
			ok = false
		}
	}
	return out, ok
}

// nonNegInt accepts an integer >= 0.
func (c *entryCtx) nonNegInt(field string, n *yaml.Node) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		c.reject(field, n, "expected an integer, got %s", describe(n))
		return 0, false
	}
	if n.Decode(&v) != nil {
		c.reject(field, n, "integer %s out of range", n.Value)
		return 0, false
	}
	if v < 0 {
		c.reject(field, n, "must not be negative, got %d", v)
		return 0, false
	}
	return v, true
}

// boolean accepts true or false.
func (c *entryCtx) boolean(field string, n *yaml.Node) (bool, bool) {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		c.reject(field, n, "expected a boolean, got %s", describe(n))
		return false, false
	}
	return v, true
}

// number accepts a finite integer or float.
func (c *entryCtx) number(field string, n *yaml.Node) (float64, bool) {
	var v float64
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&v) != nil {
		c.reject(field, n, "expected a number, got %s", describe(n))
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.reject(field, n, "expected a finite number, got %s", n.Value)
		return 0, false
	}
	return v, true
}

// duration accepts a non-negative Go duration string such as "500ms".
func (c *entryCtx) duration(field string, n *yaml.Node) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" {
		c.reject(field, n, "expected a duration such as \"500ms\", got %s", describe(n))
		return 0, false
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		c.reject(field, n, "invalid duration %s (use a go duration such as \"500ms\" or \"30s\")", strconv.Quote(n.Value))
		return 0, false
	}
	if d < 0 {
		c.reject(field, n, "invalid duration %q (must not be negative)", n.Value)
		return 0, false
	}
	return d, true
}
