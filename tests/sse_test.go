package tests

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDirectSSEFraming(t *testing.T) {
	a := luaApp(t, "GET", "/s", `
  local res = http.response()
  assert(res:write_event({name = "status", data = {state = "started"}}) == nil)
  assert(res:write_event({name = "msg", data = "hi", id = "7", retry = 1500}) == nil)
  assert(res:write_event({name = "n", data = 42, id = "8"}) == nil)
  assert(res:write_event({name = "r", data = {1, 2}, retry = 10}) == nil)`)
	code, hdr, body := a.do("GET", "/s", "", nil)
	if code != 200 || hdr.Get("Content-Type") != "text/event-stream" || hdr.Get("Cache-Control") != "no-cache" || hdr.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("code %d headers %v", code, hdr)
	}
	want := "event: status\ndata: {\"state\":\"started\"}\n\n" +
		"id: 7\nretry: 1500\nevent: msg\ndata: \"hi\"\n\n" +
		"id: 8\nevent: n\ndata: 42\n\n" +
		"retry: 10\nevent: r\ndata: [1,2]\n\n"
	if body != want {
		t.Fatalf("got  %q\nwant %q", body, want)
	}
}

func TestDirectSSECustomStatus(t *testing.T) {
	a := luaApp(t, "GET", "/s", `
  local res = http.response()
  res:set_status(202)
  res:write_event({name = "x", data = true})`)
	code, hdr, body := a.do("GET", "/s", "", nil)
	if code != 202 || hdr.Get("Content-Type") != "text/event-stream" || body != "event: x\ndata: true\n\n" {
		t.Fatalf("%d %v %q", code, hdr, body)
	}
}

func TestDirectSSEIncremental(t *testing.T) {
	// The handler blocks after the first event until the test has read it.
	a := luaApp(t, "GET", "/inc", `
  local res = http.response()
  res:write_event({name = "first", data = 1})
  time.sleep("2s")
  res:write_event({name = "second", data = 2})`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	s := openSSE(t, ctx, a.base+"/inc")
	frame, err := s.next()
	if err != nil || frame != "event: first\ndata: 1\n\n" {
		t.Fatalf("first frame %q %v", frame, err)
	}
	if time.Since(start) >= 2*time.Second {
		t.Fatalf("first event arrived only after the handler finished")
	}
	frame, err = s.next()
	if err != nil || frame != "event: second\ndata: 2\n\n" {
		t.Fatalf("second frame %q %v", frame, err)
	}
}

func TestWriteEventRejectsBadFields(t *testing.T) {
	a := luaApp(t, "GET", "/bad", `
  local res = http.response()
  local e1 = res:write_event({name = "a\nb", data = 1})
  local e2 = res:write_event({name = "ok", data = 1, id = "x\ry"})
  local e3 = res:write_event({name = "nul\0", data = 1})
  local ok4, e4 = pcall(res.write_event, res, {data = 1})
  local ok5, e5 = pcall(res.write_event, res, {name = "x"})
  res:write_event({name = "result", data = {e1:kind(), e2:kind(), e3:kind(), ok4, ok5,
    tostring(e4):find("name") ~= nil, tostring(e5):find("data") ~= nil}})`)
	_, body := a.get("/bad")
	if body != "event: result\ndata: [\"INVALID\",\"INVALID\",\"INVALID\",false,false,true,true]\n\n" {
		t.Fatalf("body %q", body)
	}
}

func TestWriteEventAfterWrite(t *testing.T) {
	a := luaApp(t, "GET", "/mix", `
  local res = http.response()
  res:write("plain ")
  local err = res:write_event({name = "x", data = 1})
  res:write(err:kind() .. " " .. err:message())`)
	code, hdr, body := a.do("GET", "/mix", "", nil)
	if code != 200 || strings.HasPrefix(hdr.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %v", code, hdr)
	}
	if !strings.HasPrefix(body, "plain INVALID ") || strings.Contains(body, "event: x") {
		t.Fatalf("body %q", body)
	}
}

func TestWriteEventAfterDisconnect(t *testing.T) {
	a := luaApp(t, "GET", "/gone", `
  local res = http.response()
  res:write_event({name = "hello", data = 1})
  local err
  for i = 1, 2000 do
    err = res:write_event({name = "tick", data = i})
    if err then break end
    time.sleep("5ms")
  end
  print("after-disconnect kind=" .. (err and err:kind() or "none"))`)
	ctx, cancel := context.WithCancel(context.Background())
	s := openSSE(t, ctx, a.base+"/gone")
	if _, err := s.next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	// The handler must end well before its 2000 iterations (10 s) would.
	eventually(t, 5*time.Second, "handler to stop after disconnect", func() bool {
		return strings.Contains(a.logs.String(), "handler interrupted") || strings.Contains(a.logs.String(), "after-disconnect")
	})
}
