package tests

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestModulesAllowList(t *testing.T) {
	src := `local ok, err = pcall(require, "json")
local ok2, err2 = pcall(require, "nosuch")
return {handler = function()
  local http = require("http")
  http.response():write(tostring(ok) .. "|" .. tostring(err) .. "|" .. tostring(err2))
end}`
	a := startApp(t, handlerEntries("m", "GET", "/m", "m.lua", "http"), map[string]string{"m.lua": src})
	_, body := a.get("/m")
	if !strings.HasPrefix(body, "false|") || !strings.Contains(body, `module "json" is not allowed for app:m`) ||
		!strings.Contains(body, `module "nosuch" not found for app:m`) {
		t.Fatalf("body %q", body)
	}
}

func TestLibraryImports(t *testing.T) {
	entries := `
  - name: mathx
    kind: library.lua
    source: file://lib/mathx.lua
    modules: [json]
  - name: strx
    kind: library.lua
    source: file://lib/strx.lua
    imports: {m: mathx}
  - name: lib_user
    kind: function.lua
    source: file://h.lua
    method: handler
    modules: [http]
    imports: {mathx: mathx, s: strx}
  - name: lib_user.ep
    kind: http.endpoint
    meta: {router: root}
    method: GET
    path: /lib
    func: lib_user
`
	files := map[string]string{
		"lib/mathx.lua": `local json = require("json")
local M = {loads = 0}
function M.double(x) return x * 2 end
function M.enc(v) return json.encode(v) end
return M`,
		"lib/strx.lua": `local m = require("m")
return {shout = function(s) return string.upper(s) .. m.double(2) end}`,
		"h.lua": `local http = require("http")
local mathx = require("mathx")
local s = require("s")
return {handler = function()
  local ok = pcall(require, "json")  -- json is allowed for the library, not for this entry
  http.response():write(mathx.double(21) .. " " .. s.shout("hi") .. " " .. mathx.enc({b = 1, a = 2}) ..
    " same=" .. tostring(require("mathx") == mathx) .. " json=" .. tostring(ok))
end}`,
	}
	a := startApp(t, entries, files)
	if _, body := a.get("/lib"); body != `42 HI4 {"a":2,"b":1} same=true json=false` {
		t.Fatalf("body %q", body)
	}
}

func TestGlobalsDoNotLeak(t *testing.T) {
	src := `local http = require("http")
local counter = 0
return {handler = function()
  counter = counter + 1
  local before = leaked
  leaked = "yes"
  _G.viaG = "yes"
  string.custom = nil
  http.response():write(tostring(before) .. " " .. tostring(counter) .. " " .. tostring(viaG))
end}`
	a := startApp(t, handlerEntries("g", "GET", "/g", "g.lua", "http"), map[string]string{"g.lua": src})
	// Sequential requests reuse the same pooled LState.
	for i := 0; i < 5; i++ {
		if _, body := a.get("/g"); body != "nil 1 yes" {
			t.Fatalf("request %d: %q", i, body)
		}
	}
	// A handler returns its State just after the response is sent, so a
	// fast client may occasionally see a second State created.
	if n := a.h.Generation().Pools["app:g"].Idle(); n < 1 || n > 2 {
		t.Fatalf("want pooled states reused, idle=%d", n)
	}
}

func TestInfiniteLoopInterruptedOnDisconnect(t *testing.T) {
	entries := handlerEntries("spin", "GET", "/spin", "spin.lua", "http") + handlerEntries("ok", "GET", "/ok", "ok.lua", "http")
	a := startApp(t, entries, map[string]string{
		"spin.lua": `return {handler = function() while true do end end}`,
		"ok.lua":   `local http = require("http") return {handler = function() http.response():write("ok") end}`,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ { // more spinning handlers than cores
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", a.base+"/spin", nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	eventually(t, 5*time.Second, "all spinning handlers interrupted", func() bool {
		return strings.Count(a.logs.String(), "handler interrupted") >= 4
	})
	if code, body := a.get("/ok"); code != 200 || body != "ok" {
		t.Fatalf("host not responsive: %d %q", code, body)
	}
}

func TestSleepEndsWithRequest(t *testing.T) {
	a := luaApp(t, "GET", "/sl", `time.sleep("30s"); http.response():write("late")`)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", a.base+"/sl", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	eventually(t, 5*time.Second, "sleeping handler interrupted", func() bool {
		return strings.Contains(a.logs.String(), "handler interrupted")
	})
}

func TestTimeModule(t *testing.T) {
	a := luaApp(t, "GET", "/t", `
  local t0 = time.now()
  time.sleep(2 * time.MILLISECOND)
  time.sleep("1ms")
  local d = time.now():sub(t0)
  local pd = time.parse_duration("1.5s")
  local bad, err = time.parse_duration("soon")
  return {
    elapsed_ok = d:nanoseconds() >= 3000000,
    unix_ok = t0:unix() > 1700000000 and t0:unix_nano() > 1700000000 * 1e9,
    rfc = t0:format_rfc3339():match("^%d%d%d%d%-%d%d%-%d%dT") ~= nil,
    ms = pd:milliseconds(), s = pd:seconds(), ns = pd:nanoseconds(),
    bad_nil = bad == nil, err_kind = err:kind(),
    consts = {time.NANOSECOND, time.MICROSECOND, time.MILLISECOND, time.SECOND, time.MINUTE, time.HOUR},
  }`)
	_, body := a.get("/t")
	want := `{"bad_nil":true,"consts":[1,1000,1000000,1000000000,60000000000,3600000000000],"elapsed_ok":true,"err_kind":"INVALID","ms":1500,"ns":1500000000,"rfc":true,"s":1.5,"unix_ok":true}`
	if body != want {
		t.Fatalf("got  %s\nwant %s", body, want)
	}
}
