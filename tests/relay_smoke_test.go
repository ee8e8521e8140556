package tests

import (
	"context"
	"strings"
	"testing"
	"time"
)

// relayRouter declares a router with the sse_relay post middleware.
func relayRouter(options string) string {
	return `
  - name: sse
    kind: http.router
    meta: {server: gateway}
    prefix: /sse
    post_middleware: [sse_relay]
` + options
}

// relayOpenEntries declares the "open" handler (open.lua, modules http and
// json) on GET path of the sse router; open.lua sets X-SSE-Relay.
func relayOpenEntries(path string) string {
	return `
  - name: open
    kind: function.lua
    source: file://open.lua
    method: handler
    modules: [http, json]
  - name: open.ep
    kind: http.endpoint
    meta: {router: sse}
    method: GET
    path: ` + path + `
    func: open
`
}

func TestRelaySmokeDetached(t *testing.T) {
	entries := relayRouter("") + relayOpenEntries("/events") + handlerEntries("push", "POST", "/push", "push.lua", "http")
	a := startApp(t, entries, map[string]string{
		"open.lua": `local http = require("http")
local json = require("json")
return {handler = function()
  http.response():set_header("X-SSE-Relay", json.encode({heartbeat_interval = "0s", metadata = {user = "ann"}}))
end}`,
		"push.lua": `local http = require("http")
return {handler = function()
  local req = http.request()
  process.send(req:query("pid"), "sse.message", {n = 1})
  process.send(req:query("pid"), "sse.close", "bye")
  http.response():write("ok")
end}`,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := openSSE(t, ctx, a.base+"/sse/events")
	if s.resp.Header.Get("Content-Type") != "text/event-stream" || s.resp.Header.Get("X-Sse-Relay") != "" {
		t.Fatalf("headers %v", s.resp.Header)
	}
	frame, err := s.next()
	if err != nil || !strings.HasPrefix(frame, `event: ready`+"\n"+`data: {"message_topic":"sse.message","metadata":{"user":"ann"},"stream_pid":"{app:gateway|0x`) {
		t.Fatalf("ready %q %v", frame, err)
	}
	pid := frame[strings.Index(frame, `"stream_pid":"`)+14 : strings.LastIndex(frame, `"}`)]
	if code, _, body := a.do("POST", "/push?pid="+pid, "", nil); code != 200 || body != "ok" {
		t.Fatalf("push %d %s", code, body)
	}
	want := []string{"event: sse.message\ndata: {\"n\":1}\n\n", "event: done\ndata: {\"reason\":\"bye\"}\n\n"}
	for _, w := range want {
		f, err := s.next()
		if err != nil || f != w {
			t.Fatalf("got %q %v want %q", f, err, w)
		}
	}
	if _, err := s.next(); err == nil {
		t.Fatal("stream did not end")
	}
}

func TestRelayHeadStartsNoStream(t *testing.T) {
	entries := relayRouter("") + `
  - name: open
    kind: function.lua
    source: file://open.lua
    method: handler
    modules: [http]
  - name: open.ep
    kind: http.endpoint
    meta: {router: sse}
    method: GET
    path: /events
    func: open
`
	a := startApp(t, entries, map[string]string{"open.lua": `local http = require("http")
return {handler = function() http.response():set_header("X-SSE-Relay", "{}") end}`})
	code, hdr, body := a.do("HEAD", "/sse/events", "", nil)
	if code != 200 || hdr.Get("Content-Type") != "text/event-stream" || body != "" || hdr.Get("X-Sse-Relay") != "" {
		t.Fatalf("%d %v %q", code, hdr, body)
	}
	if n := a.h.Relay().Active(); n != 0 {
		t.Fatalf("HEAD opened %d streams", n)
	}
}
