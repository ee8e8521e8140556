package registry

import (
	"fmt"
	"strings"
)

// httpMethods are the methods an endpoint may declare.
var httpMethods = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "DELETE": true,
	"PATCH": true, "HEAD": true, "OPTIONS": true,
}

// badPathChars may not appear in a prefix or path.
const badPathChars = " \t\r\n?#"

// segment is one parsed path segment.
type segment struct {
	text    string
	isParam bool   // {name}, {name...} or :name
	param   string // the name
	rest    bool   // {name...}
}

func parseSegment(s string) segment {
	switch {
	case len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}':
		name := s[1 : len(s)-1]
		if trimmed, ok := strings.CutSuffix(name, "..."); ok {
			return segment{text: s, isParam: true, param: trimmed, rest: true}
		}
		return segment{text: s, isParam: true, param: name}
	case strings.HasPrefix(s, ":"):
		return segment{text: s, isParam: true, param: s[1:]}
	}
	return segment{text: s}
}

func segments(p string) []segment {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	out := make([]segment, len(parts))
	for i, s := range parts {
		out[i] = parseSegment(s)
	}
	return out
}

// checkPath returns every problem with an endpoint path.
func checkPath(p string) []string {
	if !strings.HasPrefix(p, "/") {
		return []string{fmt.Sprintf("path %q must start with \"/\"", p)}
	}
	var out []string
	if i := strings.IndexAny(p, badPathChars); i >= 0 {
		out = append(out, fmt.Sprintf("path %q contains the invalid character %q", p, p[i]))
	}
	segs := segments(p)
	seen := map[string]bool{}
	for i, s := range segs {
		if !s.isParam {
			if strings.ContainsAny(s.text, "{}") {
				out = append(out, fmt.Sprintf("path %q: route param %q must be a whole segment", p, s.text))
			}
			continue
		}
		switch {
		case !validParam(s.param):
			out = append(out, fmt.Sprintf("path %q: invalid route param name %q", p, s.param))
		case seen[s.param]:
			out = append(out, fmt.Sprintf("path %q: duplicate route param %q", p, s.param))
		}
		seen[s.param] = true
		if s.rest && i != len(segs)-1 {
			out = append(out, fmt.Sprintf("path %q: %s must be the last segment", p, s.text))
		}
	}
	return out
}

// validParam reports whether s is an identifier: a letter or '_', then
// letters, digits or '_'.
func validParam(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// checkPrefix returns the problem with a router prefix, or "".
func checkPrefix(p string) string {
	switch {
	case p == "":
		return ""
	case !strings.HasPrefix(p, "/"):
		return fmt.Sprintf("prefix %q must start with \"/\"", p)
	case strings.ContainsAny(p, badPathChars):
		return fmt.Sprintf("prefix %q contains an invalid character", p)
	}
	for _, s := range segments(p) {
		if s.isParam || strings.ContainsAny(s.text, "{}") {
			return fmt.Sprintf("prefix %q must not contain route params", p)
		}
	}
	return ""
}

// normalizePrefix drops trailing slashes, so "/" becomes "".
func normalizePrefix(p string) string { return strings.TrimRight(p, "/") }

// routeKey is the shape of prefix+path with param names erased, so that
// "/a/{x}", "/a/:y" compare equal and "/a/{x...}" does not.
func routeKey(prefix, path string) string {
	segs := segments(prefix + path)
	parts := make([]string, len(segs))
	for i, s := range segs {
		switch {
		case s.rest:
			parts[i] = "{...}"
		case s.isParam:
			parts[i] = "{}"
		default:
			parts[i] = s.text
		}
	}
	return "/" + strings.Join(parts, "/")
}
