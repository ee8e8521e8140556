package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// syntaxLine matches the position yaml.v3 puts in its syntax errors.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses one YAML document. It returns the document's root node
// (nil for an empty file) or a syntax error with a 1-based line.
func parseYAML(data []byte) (root *yaml.Node, line int, err error) {
	defer func() {
		// yaml.v3 is third-party code fed untrusted bytes; a parser panic must
		// become an error at the file, never take the host down.
		if r := recover(); r != nil {
			root, line, err = nil, 1, fmt.Errorf("invalid yaml: parser failure: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, nil
		}
		line, msg := splitYAMLError(err, data)
		return nil, line, errors.New("invalid yaml: " + msg)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			line, msg := splitYAMLError(err, data)
			return nil, line, errors.New("invalid yaml: " + msg)
		}
		return nil, lineOf(&next), errors.New("only one yaml document is allowed per file")
	}
	if len(doc.Content) == 0 {
		return nil, 0, nil
	}
	return doc.Content[0], 0, nil
}

// parserProblems are the yaml.v3 parser (not scanner) errors. yaml.v3 prints
// their line 0-based (it adds one for scanner errors only), so one is added
// here; the line is then where the enclosing block or flow collection starts.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// unknownAnchor matches the one composer error that names something findable.
var unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// splitYAMLError extracts a 1-based line from a yaml.v3 error. Errors without
// one are on the first line (yaml.v3 omits a line 0), except an unknown
// anchor, whose first use is looked up in data.
func splitYAMLError(err error, data []byte) (int, string) {
	s := err.Error()
	if m := syntaxLine.FindStringSubmatch(s); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n > 0 {
			if parserProblems[m[2]] {
				n++
			}
			return n, m[2]
		}
	}
	line := 1
	if m := unknownAnchor.FindStringSubmatch(s); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line += bytes.Count(data[:i], []byte("\n"))
		}
	}
	return line, strings.TrimPrefix(s, "yaml: ")
}

// lineOf returns n's 1-based line, never less than 1.
func lineOf(n *yaml.Node) int {
	if n == nil || n.Line < 1 {
		return 1
	}
	return n.Line
}

// deref follows alias nodes to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 64; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent or a YAML null; null values count as
// "not given".
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names the type of a node for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	n = deref(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		return describeScalar(n)
	}
	return "a document"
}

func describeScalar(n *yaml.Node) string {
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	case "!!str":
		return "a string"
	}
	return "a scalar"
}

// pair is one key/value of a mapping; val is already dereferenced.
type pair struct {
	key  string
	kpos *yaml.Node
	val  *yaml.Node
}

// lookup returns the value of key in mapping m without reporting anything.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := deref(m.Content[i])
		if k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return deref(m.Content[i+1])
		}
	}
	return nil
}
