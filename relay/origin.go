package relay

import (
	"net/http"
	"net/url"
	"strings"
)

// Origins is the parsed sserelay.allowed.origins option. The zero value
// allows only same-origin requests.
type Origins struct {
	set      bool
	any      bool
	patterns []string // lower-case "scheme://host[:port]", '*' matches within one label
}

// ParseOrigins parses a comma-separated list; "*" alone allows every origin.
func ParseOrigins(list string) Origins {
	o := Origins{set: strings.TrimSpace(list) != ""}
	for _, p := range strings.Split(list, ",") {
		p = strings.ToLower(strings.TrimRight(strings.TrimSpace(p), "/"))
		switch p {
		case "":
		case "*":
			o.any = true
		default:
			o.patterns = append(o.patterns, p)
		}
	}
	return o
}

// Allowed reports whether r may open a stream: no Origin header passes;
// otherwise the origin must match a pattern, or (without the option) be
// the request's own origin.
func (o Origins) Allowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	origin = strings.ToLower(origin)
	if !o.set {
		return sameOrigin(origin, r)
	}
	if o.any {
		return true
	}
	for _, p := range o.patterns {
		if matchOrigin(p, origin) {
			return true
		}
	}
	return false
}

func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return u.Scheme == scheme && strings.EqualFold(u.Host, r.Host)
}

// matchOrigin matches origin against pattern; '*' matches any run of
// characters that contains no '.', '/' or ':' (one host label).
func matchOrigin(pattern, origin string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return pattern == origin
	}
	if !strings.HasPrefix(origin, pattern[:star]) {
		return false
	}
	origin, pattern = origin[star:], pattern[star+1:]
	label := strings.IndexAny(origin, "./:")
	if label < 0 {
		label = len(origin)
	}
	for i := 1; i <= label; i++ { // '*' matches 1..label characters
		if matchOrigin(pattern, origin[i:]) {
			return true
		}
	}
	return false
}
