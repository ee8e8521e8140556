package route

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPattern(t *testing.T) {
	cases := []struct {
		method, prefix, path string
		want                 string
		params               []string
		err                  string
	}{
		{"GET", "", "/hello", "GET /hello", nil, ""},
		{"GET", "/api", "/users/{id}", "GET /api/users/{id}", []string{"id"}, ""},
		{"POST", "/api", "/users/:id/posts/:post", "POST /api/users/{id}/posts/{post}", []string{"id", "post"}, ""},
		{"GET", "/files", "/{path...}", "GET /files/{path...}", []string{"path"}, ""},
		{"GET", "", "/dir/", "GET /dir/{$}", nil, ""},
		{"GET", "", "/{rest...}/x", "", nil, "must be the last segment"},
		{"GET", "", "/a{b}", "", nil, "whole {name}"},
		{"GET", "", "nope", "", nil, "must start with /"},
	}
	for _, c := range cases {
		got, params, err := Pattern(c.method, c.prefix, c.path)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s%s: err %v, want %q", c.prefix, c.path, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || strings.Join(params, ",") != strings.Join(c.params, ",") {
			t.Errorf("%s%s: got %q %v %v", c.prefix, c.path, got, params, err)
		}
	}
}

func TestConflict(t *testing.T) {
	tb := NewTable()
	h := http.NotFoundHandler()
	if _, err := tb.Add("app:a", "GET", "", "/u/{id}", h); err != nil {
		t.Fatal(err)
	}
	_, err := tb.Add("app:b", "GET", "", "/u/:name", h)
	if err == nil || !strings.Contains(err.Error(), "app:a") {
		t.Fatalf("want conflict naming app:a, got %v", err)
	}
	if _, err := tb.Add("app:c", "POST", "", "/u/{id}", h); err != nil {
		t.Fatalf("other method must not conflict: %v", err)
	}
}

func TestServe(t *testing.T) {
	tb := NewTable()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.PathValue("id")+"|"+r.PathValue("rest"))
	})
	tb.Add("x", "GET", "/api", "/u/{id}", echo)
	tb.Add("x", "GET", "/api", "/f/{rest...}", echo)
	cases := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/api/u/42", 200, "42|"},
		{"HEAD", "/api/u/42", 200, ""},
		{"POST", "/api/u/42", 405, ""},
		{"GET", "/api/f/a/b/c.txt", 200, "|a/b/c.txt"},
		{"GET", "/nope", 404, ""},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		tb.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.code || (c.body != "" && rec.Body.String() != c.body) {
			t.Errorf("%s %s: %d %q", c.method, c.path, rec.Code, rec.Body.String())
		}
	}
}
