package registry

import (
	"math"
	"time"

	"gopkg.in/yaml.v3"
)

// Limits on plain data (meta, input). Anchors and aliases can make a small
// file describe a huge or self-containing value; these bound the work.
const (
	maxPlainNodes = 10000
	maxPlainDepth = 64
)

// plainErr is a problem in plain data, at the node that caused it.
type plainErr struct {
	node *yaml.Node
	msg  string
}

// plainData converts a YAML value into plain Go data: nil, bool, float64
// (every number), string, []any and map[string]any. Numbers must be finite so
// the value can always be encoded as JSON.
func plainData(n *yaml.Node) (any, *plainErr) {
	budget := maxPlainNodes
	return toPlain(n, 0, &budget)
}

func toPlain(n *yaml.Node, depth int, budget *int) (any, *plainErr) {
	at := n
	n = deref(n)
	*budget--
	if *budget < 0 {
		return nil, &plainErr{at, "value too large (more than 10000 items, aliases included)"}
	}
	if depth > maxPlainDepth {
		return nil, &plainErr{at, "value nested too deeply (more than 64 levels)"}
	}
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := toPlain(item, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return mappingToPlain(n, depth, budget)
	case yaml.ScalarNode:
		return scalarToPlain(n)
	}
	return nil, &plainErr{at, "unsupported yaml value"}
}

func mappingToPlain(n *yaml.Node, depth int, budget *int) (any, *plainErr) {
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			return nil, &plainErr{n.Content[i], "mapping keys must be strings, got " + describe(k)}
		}
		if _, dup := out[k.Value]; dup {
			return nil, &plainErr{k, "duplicate key \"" + k.Value + "\""}
		}
		v, err := toPlain(n.Content[i+1], depth+1, budget)
		if err != nil {
			return nil, err
		}
		out[k.Value] = v
	}
	return out, nil
}

func scalarToPlain(n *yaml.Node) (any, *plainErr) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, &plainErr{n, "invalid value " + describe(n)}
	}
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, &plainErr{n, "numbers must be finite, got " + n.Value}
		}
		return x, nil
	case time.Time:
		return n.Value, nil
	}
	return n.Value, nil
}
