package tests

import (
	"testing"
)

func TestRouting(t *testing.T) {
	entries := `
  - name: api
    kind: http.router
    meta: {server: gateway}
    prefix: /api
` + handlerEntries("one", "GET", "/items/{id}", "echo.lua", "http") + `
  - name: one.api
    kind: http.endpoint
    meta: {router: api}
    method: GET
    path: /users/:user/posts/{post}
    func: one
  - name: one.files
    kind: http.endpoint
    meta: {router: api}
    method: GET
    path: /files/{path...}
    func: one
  - name: one.post
    kind: http.endpoint
    meta: {router: api}
    method: POST
    path: /users/:user/posts/{post}
    func: one
`
	echo := `local http = require("http")
return {handler = function()
  local req = http.request()
  local p = req:params()
  local keys = {}
  for k, v in pairs(p) do keys[#keys + 1] = k .. "=" .. v end
  table.sort(keys)
  http.response():write(req:method() .. " " .. req:path() .. " " .. table.concat(keys, "&"))
end}`
	a := startApp(t, entries, map[string]string{"echo.lua": echo})
	cases := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/items/7", 200, "GET /items/7 id=7"},
		{"GET", "/api/users/ann/posts/3", 200, "GET /api/users/ann/posts/3 post=3&user=ann"},
		{"POST", "/api/users/ann/posts/3", 200, "POST /api/users/ann/posts/3 post=3&user=ann"},
		{"GET", "/api/files/a/b/c.txt", 200, "GET /api/files/a/b/c.txt path=a/b/c.txt"},
		{"HEAD", "/items/7", 200, ""},
		{"DELETE", "/items/7", 405, ""},
		{"PUT", "/api/users/ann/posts/3", 405, ""},
		{"GET", "/nothing/here", 404, ""},
		{"GET", "/items", 404, ""},
		{"GET", "/items/7/more", 404, ""},
	}
	for _, c := range cases {
		code, hdr, body := a.do(c.method, c.path, "", nil)
		if code != c.code || (c.body != "" && body != c.body) {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, code, body, c.code, c.body)
		}
		if c.code == 405 && hdr.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow header", c.method, c.path)
		}
		if c.method == "HEAD" && body != "" {
			t.Errorf("HEAD returned a body %q", body)
		}
	}
}
