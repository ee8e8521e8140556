package relay

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestOrigins(t *testing.T) {
	cases := []struct {
		option string
		host   string // request Host
		tls    bool
		origin string // "" sends none
		want   bool
	}{
		// No Origin always passes.
		{"", "h:1", false, "", true},
		{"https://a.example", "h:1", false, "", true},
		// Same-origin default: scheme + host:port of the request.
		{"", "127.0.0.1:8080", false, "http://127.0.0.1:8080", true},
		{"", "127.0.0.1:8080", false, "HTTP://127.0.0.1:8080", true},
		{"", "Example.COM:8080", false, "http://example.com:8080", true},
		{"", "127.0.0.1:8080", false, "https://127.0.0.1:8080", false},
		{"", "127.0.0.1:8080", true, "https://127.0.0.1:8080", true},
		{"", "127.0.0.1:8080", true, "http://127.0.0.1:8080", false},
		{"", "127.0.0.1:8080", false, "http://127.0.0.1:8081", false},
		{"", "127.0.0.1:8080", false, "http://localhost:8080", false},
		{"", "127.0.0.1:8080", false, "http://127.0.0.1", false},
		{"", "127.0.0.1:8080", false, "null", false},
		{"", "example.com:80", false, "http://example.com", true}, // default ports
		{"", "example.com", false, "http://example.com:80", true},
		{"", "example.com", true, "https://example.com:443", true},
		{"", "example.com:8080", false, "http://example.com", false},
		{"", "127.0.0.1:8080", false, "::not a url", false},
		{"   ", "127.0.0.1:8080", false, "http://127.0.0.1:8080", true}, // blank option = unset
		// A list.
		{"https://a.example, http://b.example:8080", "h", false, "https://a.example", true},
		{"https://a.example, http://b.example:8080", "h", false, "http://b.example:8080", true},
		{"https://a.example/, HTTP://B.EXAMPLE:8080", "h", false, "http://b.example:8080", true},
		{"https://a.example, http://b.example:8080", "h", false, "https://A.Example", true},
		{"https://a.example, http://b.example:8080", "h", false, "http://a.example", false},
		{"https://a.example, http://b.example:8080", "h", false, "http://b.example", false},
		{"https://a.example, http://b.example:8080", "h", false, "https://a.example.evil", false},
		{"https://a.example", "a.example", false, "http://a.example", false}, // the list replaces same-origin
		{",,https://a.example,,", "h", false, "https://a.example", true},
		// "*" alone allows all.
		{"*", "h", false, "https://anything.example", true},
		{"*", "h", false, "null", true},
		{"https://a.example, *", "h", false, "http://z", true},
		// A '*' inside a pattern matches within one host label.
		{"https://*.example.com", "h", false, "https://a.example.com", true},
		{"https://*.example.com", "h", false, "https://a-b-9.example.com", true},
		{"https://*.example.com", "h", false, "https://a.b.example.com", false},
		{"https://*.example.com", "h", false, "https://example.com", false},
		{"https://*.example.com", "h", false, "https://.example.com", false},
		{"https://*.example.com", "h", false, "http://a.example.com", false},
		{"https://*.example.com", "h", false, "https://a.example.com:444", false},
		{"https://*.example.com", "h", false, "https://a.example.com.evil", false},
		{"https://*.example.com", "h", false, "https://evil/.example.com", false},
		{"https://*.example.com", "h", false, "https://evil:1.example.com", false},
		{"http://localhost:*", "h", false, "http://localhost:3000", true},
		{"http://localhost:*", "h", false, "http://localhost", false},
		{"http://localhost:*", "h", false, "http://localhost:3000.x", false},
		{"https://app-*.example.com", "h", false, "https://app-1.example.com", true},
		{"https://app-*.example.com", "h", false, "https://app-.example.com", false},
		{"https://*.*.example.com", "h", false, "https://a.b.example.com", true},
		{"https://*.*.example.com", "h", false, "https://a.example.com", false},
		{"https://*-*-*.example.com", "h", false, "https://a-b-c.example.com", true},
		{"https://*-*-*.example.com", "h", false, "https://a-b-c-d.example.com", true},
		{"https://*-*-*.example.com", "h", false, "https://a-b.example.com", false},
		{"https://*", "h", false, "https://x", true},
		{"https://*", "h", false, "https://x.y", false},
		{"*://a.example", "h", false, "https://a.example", true},
		{"*://a.example", "h", false, "://a.example", false},
	}
	for _, tc := range cases {
		o := ParseOrigins(tc.option)
		r := httptest.NewRequest("GET", "/sse", nil)
		r.Host = tc.host
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		} else {
			r.TLS = nil
		}
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if got := o.Allowed(r); got != tc.want {
			t.Errorf("option %q, host %q, tls %v, Origin %q: got %v, want %v", tc.option, tc.host, tc.tls, tc.origin, got, tc.want)
		}
	}
}

// A pattern with many stars stays fast on a long origin (no exponential
// backtracking beyond one label per star).
func TestOriginsManyStars(t *testing.T) {
	o := ParseOrigins("https://*-*-*-*-*-*-*-*.example.com")
	r := httptest.NewRequest("GET", "/", nil)
	long := "https://"
	for i := 0; i < 60; i++ {
		long += "a-"
	}
	r.Header.Set("Origin", long+"b.example.org")
	if o.Allowed(r) {
		t.Fatal("allowed")
	}
}
