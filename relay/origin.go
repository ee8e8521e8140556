package relay

import (
	"net"
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
	return u.Scheme == scheme && strings.EqualFold(withPort(u.Host, scheme), withPort(r.Host, scheme))
}

// withPort adds the scheme's default port to a host without one, so
// "http://x" and "Host: x:80" are the same origin.
func withPort(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	if scheme == "https" {
		return net.JoinHostPort(strings.Trim(host, "[]"), "443")
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), "80")
}

// matchOrigin matches origin against pattern; '*' matches one or more
// characters other than '.', '/' and ':' (within one host label). It runs
// in O(len(pattern) * len(origin)): the origin is untrusted input, and a
// backtracking match with several stars would be exponential in it.
func matchOrigin(pattern, origin string) bool {
	if strings.IndexByte(pattern, '*') < 0 {
		return pattern == origin
	}
	// cur[j]: the pattern read so far matches origin[:j].
	n := len(origin)
	cur, next := make([]bool, n+1), make([]bool, n+1)
	cur[0] = true
	for i := 0; i < len(pattern); i++ {
		clear(next)
		hit := false
		if c := pattern[i]; c != '*' {
			for j := 0; j < n; j++ {
				if cur[j] && origin[j] == c {
					next[j+1], hit = true, true
				}
			}
		} else {
			run := false // a star that started at or before j can take origin[j]
			for j := 0; j < n; j++ {
				run = run || cur[j]
				if strings.IndexByte("./:", origin[j]) >= 0 {
					run = false
					continue
				}
				if run {
					next[j+1], hit = true, true
				}
			}
		}
		if !hit {
			return false
		}
		cur, next = next, cur
	}
	return cur[n]
}
