package tests

import (
	"strings"
	"testing"
)

func TestResponseMethods(t *testing.T) {
	a := luaApp(t, "GET", "/r", `
  local res = http.response()
  assert(res:set_status(http.STATUS.CREATED) == nil)
  assert(res:set_header("X-One", "1") == nil)   -- after set_status: still allowed
  assert(res:set_content_type("text/plain; charset=utf-8") == nil)
  assert(res:write("hello ") == nil)
  assert(res:flush() == nil)
  local e1 = res:set_status(500)
  local e2 = res:set_header("X-Two", "2")
  local e3 = res:set_content_type("text/html")
  local e4 = res:set_transfer(http.TRANSFER.SSE)
  res:write(table.concat({e1:kind(), e2:kind(), e3:kind(), e4:kind()}, ","))
  res:write(" " .. tostring(e1))`)
	code, hdr, body := a.do("GET", "/r", "", nil)
	if code != 201 || hdr.Get("X-One") != "1" || hdr.Get("X-Two") != "" || hdr.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("code %d headers %v", code, hdr)
	}
	if body != "hello INVALID,INVALID,INVALID,INVALID set_status: response body already started" {
		t.Fatalf("body %q", body)
	}
}

func TestWriteJSON(t *testing.T) {
	cases := map[string]struct{ lua, want string }{
		"nested":   {`{user = {name = "ann", tags = {"a", "b"}, age = 30}, ok = true}`, `{"ok":true,"user":{"age":30,"name":"ann","tags":["a","b"]}}`},
		"array":    {`{1, 2.5, "x", false}`, `[1,2.5,"x",false]`},
		"empty":    {`{}`, `[]`},
		"object":   {`json.object()`, `{}`},
		"nested_o": {`{a = json.object(), b = {}}`, `{"a":{},"b":[]}`},
		"string":   {`"hi"`, `"hi"`},
		"sorted":   {`{zeta = 1, alpha = 2, mid = {y = 1, b = 2}}`, `{"alpha":2,"mid":{"b":2,"y":1},"zeta":1}`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a := luaApp(t, "GET", "/j", `assert(http.response():write_json(`+c.lua+`) == nil)`)
			code, hdr, body := a.do("GET", "/j", "", nil)
			if code != 200 || hdr.Get("Content-Type") != "application/json" || body != c.want {
				t.Fatalf("code %d ct %q body %s want %s", code, hdr.Get("Content-Type"), body, c.want)
			}
		})
	}
}

func TestWriteJSONErrorWritesNothing(t *testing.T) {
	a := luaApp(t, "GET", "/j", `
  local t = {}; t.self = t
  local err = http.response():write_json(t)
  http.response():write("kind=" .. err:kind())`)
	if _, body := a.get("/j"); body != "kind=INVALID" {
		t.Fatalf("body %q", body)
	}
}

func TestSetTransferChunked(t *testing.T) {
	a := luaApp(t, "GET", "/c", `
  local res = http.response()
  assert(res:set_transfer(http.TRANSFER.CHUNKED) == nil)
  local bad = res:set_transfer("carrier-pigeon")
  res:write("a"); res:flush(); res:write("b " .. bad:kind())`)
	code, _, body := a.do("GET", "/c", "", nil)
	if code != 200 || body != "ab INVALID" {
		t.Fatalf("%d %q", code, body)
	}
}

func TestLuaErrorIs500WithFileLine(t *testing.T) {
	a := luaApp(t, "GET", "/e", `
  http.response():set_header("X-Should-Vanish", "1")
  error("boom")`)
	code, hdr, body := a.do("GET", "/e", "", nil)
	if code != 500 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") || hdr.Get("X-Should-Vanish") != "" {
		t.Fatalf("code %d headers %v", code, hdr)
	}
	if !strings.HasSuffix(body, "h.lua:7: boom\n") {
		t.Fatalf("body %q", body)
	}
	eventually(t, 2e9, "traceback in log", func() bool { return strings.Contains(a.logs.String(), "stack traceback") })
}

func TestNoResponseSent(t *testing.T) {
	a := luaApp(t, "GET", "/n", `local x = 1`)
	code, body := a.get("/n")
	if code != 500 || body != "no response sent\n" {
		t.Fatalf("%d %q", code, body)
	}
}

func TestStatusOnlyResponse(t *testing.T) {
	a := luaApp(t, "GET", "/s", `http.response():set_status(204)`)
	if code, body := a.get("/s"); code != 204 || body != "" {
		t.Fatalf("%d %q", code, body)
	}
}

func TestReturnValueAsJSON(t *testing.T) {
	a := luaApp(t, "GET", "/v", `
  http.response():set_status(202)
  return {answer = 42, list = {1, 2}}`)
	code, hdr, body := a.do("GET", "/v", "", nil)
	if code != 202 || hdr.Get("Content-Type") != "application/json" || body != `{"answer":42,"list":[1,2]}` {
		t.Fatalf("%d %q %s", code, hdr.Get("Content-Type"), body)
	}
	// A returned value is ignored when the handler already wrote a body.
	b := luaApp(t, "GET", "/w", `http.response():write("written"); return {ignored = true}`)
	if _, body := b.get("/w"); body != "written" {
		t.Fatalf("body %q", body)
	}
}
