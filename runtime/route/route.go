package route

import (
	"fmt"
	"net/http"
	"strings"
)

// Table is the route table of one server.
type Table struct {
	mux    *http.ServeMux
	routes map[string]string // pattern -> owner, for conflict messages
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{mux: http.NewServeMux(), routes: make(map[string]string)}
}

// Pattern converts method + prefix + path into a ServeMux pattern and returns
// the route parameter names in order. ":name" becomes "{name}"; a path ending
// in "/" matches only itself (not the subtree).
func Pattern(method, prefix, path string) (pattern string, params []string, err error) {
	full := prefix + path
	if !strings.HasPrefix(full, "/") {
		return "", nil, fmt.Errorf("route %q must start with /", full)
	}
	segs := strings.Split(full[1:], "/")
	for i, s := range segs {
		name, rest, isParam := paramName(s)
		if !isParam {
			if strings.ContainsAny(s, "{}") {
				return "", nil, fmt.Errorf("route %q: segment %q must be a whole {name} or :name", full, s)
			}
			continue
		}
		if rest && i != len(segs)-1 {
			return "", nil, fmt.Errorf("route %q: {%s...} must be the last segment", full, name)
		}
		params = append(params, name)
		if rest {
			segs[i] = "{" + name + "...}"
		} else {
			segs[i] = "{" + name + "}"
		}
	}
	p := "/" + strings.Join(segs, "/")
	if strings.HasSuffix(p, "/") {
		p += "{$}"
	}
	return method + " " + p, params, nil
}

// paramName recognises "{name}", "{name...}" and ":name".
func paramName(seg string) (name string, rest, ok bool) {
	switch {
	case strings.HasPrefix(seg, ":") && len(seg) > 1:
		return seg[1:], false, true
	case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}"):
		return seg[1 : len(seg)-4], true, true
	case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
		return seg[1 : len(seg)-1], false, true
	}
	return "", false, false
}

// Add registers h for method + prefix + path on behalf of owner (an entry id,
// used in conflict messages). It returns the parameter names.
func (t *Table) Add(owner, method, prefix, path string, h http.Handler) (params []string, err error) {
	pattern, params, err := Pattern(method, prefix, path)
	if err != nil {
		return nil, err
	}
	if err := t.handle(pattern, h); err != nil {
		return nil, t.explain(pattern, err)
	}
	t.routes[pattern] = owner
	return params, nil
}

// handle registers with the mux, turning its panics into errors.
func (t *Table) handle(pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	t.mux.Handle(pattern, h)
	return nil
}

func (t *Table) explain(pattern string, err error) error {
	msg := err.Error()
	for p, owner := range t.routes {
		if strings.Contains(msg, p) {
			return fmt.Errorf("route %q conflicts with %q of %s", pattern, p, owner)
		}
	}
	return fmt.Errorf("invalid route %q: %s", pattern, strings.TrimPrefix(msg, "http: "))
}

// ServeHTTP dispatches to the matching endpoint; 404/405 otherwise.
func (t *Table) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t.mux.ServeHTTP(w, r)
}
