package tests

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Black-box tests of process.service entries (SPEC 3): supervised
// processes started with the app, registered under their entry id, and
// restarted with backoff when they fail.

// serviceEntry declares a process.service entry.
func serviceEntry(name, process, input, restart string) string {
	s := `
  - name: ` + name + `
    kind: process.service
    process: ` + process + `
    host: processes
`
	if input != "" {
		s += "    input: " + input + "\n"
	}
	if restart != "" {
		s += "    lifecycle:\n      restart: " + restart + "\n"
	}
	return s
}

func TestServiceStartsAndIsReachableByName(t *testing.T) {
	a := procApp(t, map[string]string{
		"greeter_p": `local greeting, n, opts = ...
while true do
  local m = process.inbox():receive()
  process.send(m:from(), "re", {greeting = greeting, n = n, opts = opts, id = process.id()}, process.pid())
end`,
	}, map[string]string{
		"h": `local pid = process.registry.lookup("app:greeter")
if not pid then return {ready = false} end
local ok = process.send("app:greeter", "hello")
local m = recv()
local p = m:payload()
return {ready = true, sent = ok, data = p[1]:data(), self_pid = p[2]:data() == pid, from = m:from() == pid,
  host = pid:match("^{(app:processes)|") }`,
		"check_disabled": `local pid, err = process.registry.lookup("app:disabled")
return {disabled = err and err:kind()}`,
	}, serviceEntry("greeter", "greeter_p", `["hi", 2, {k: [1.5, "s"]}]`, "")+`
  - name: disabled
    kind: process.service
    process: greeter_p
    host: processes
    lifecycle:
      auto_start: false
`)
	want := `{"data":{"greeting":"hi","id":"app:greeter_p","n":2,"opts":{"k":[1.5,"s"]}},"from":true,"host":"app:processes","ready":true,"self_pid":true,"sent":true}`
	last := a.poll("/h", 5*time.Second, func(body string) bool { return body != `{"ready":false}` })
	if last != want {
		t.Fatalf("got  %s\nwant %s", last, want)
	}
	// lifecycle.auto_start: false — not started with the app.
	a.want("/check_disabled", `{"disabled":"NOT_FOUND"}`)
}

// A service that fails is restarted with backoff and given up after
// max_attempts restarts; a service that returns normally is not restarted;
// a service that fails once is restarted and registered again.
func TestServiceRestartPolicy(t *testing.T) {
	// Every service reports each start to the counter service with its own
	// start time.
	const report = `local function report(d)
  local c = wait_until(function() return process.registry.lookup("app:counter") end)
  d.at = time.now():unix_nano()
  process.send(c, "inc", d)
  return c
end
`
	a := procApp(t, map[string]string{
		"counter_p": `local counts, stamps, args = {}, {}, {}
while true do
  local m = process.inbox():receive()
  local p = m:payload()
  if m:topic() == "inc" then
    local d = p:data()
    counts[d.name] = (counts[d.name] or 0) + 1
    stamps[d.name] = stamps[d.name] or {}
    table.insert(stamps[d.name], d.at)
    if d.args then args[d.name] = d.args end
  elseif m:topic() == "get" then
    process.send(m:from(), "counts", {counts = counts, stamps = stamps, args = args})
  elseif m:topic() == "count_of" then
    process.send(m:from(), "count", counts[p:data()] or 0)
  end
end`,
		"crasher_p": report + `report({name = "crasher"})
error("crash")`,
		"oneshot_p": report + `report({name = "oneshot", args = {...}})
return "done"`,
		// flaky fails on its first start only, then answers pings with
		// the start number it saw.
		"flaky_p": report + `local input = ...
local c = report({name = "flaky", args = {input.n}})
input.n = 99 -- a restart gets the configured input again
process.send(c, "count_of", "flaky")
local pending, n = {}, nil
while n == nil do
  local m = process.inbox():receive()
  if m:topic() == "count" then n = m:payload():data() else table.insert(pending, m) end
end
if n == 1 then error("first start fails", 0) end
local function serve(m) process.send(m:from(), "re", n, process.pid()) end
for _, m in ipairs(pending) do serve(m) end
while true do serve(process.inbox():receive()) end`,
	}, map[string]string{
		"counts": `local c, err = ask("app:counter", "get")
if c == nil then return {ready = false} end
local st = c.stamps.crasher or {}
local gaps = {}
for i = 2, #st do gaps[i - 1] = math.floor((st[i] - st[i - 1]) / 1e6) end
return {ready = true, crasher = c.counts.crasher or 0, oneshot = c.counts.oneshot or 0,
  flaky = c.counts.flaky or 0, gaps = gaps, oneshot_args = c.args.oneshot, flaky_args = c.args.flaky}`,
		"ping_flaky": `local pid = process.registry.lookup("app:flaky")
if not pid then return {ready = false} end
process.send("app:flaky", "ping")
local m = recv()
if m == nil then return {ready = false} end
local p = m:payload()
return {n = p[1]:data(), same = p[2]:data() == pid}`,
		"lookup": `local out = {}
for _, name in ipairs({"app:crasher", "app:oneshot", "app:flaky", "app:counter"}) do
  local pid, err = process.registry.lookup(name)
  out[name] = pid and "alive" or err:kind()
end
return out`,
	}, serviceEntry("counter", "counter_p", "", "")+
		serviceEntry("crasher", "crasher_p", "", "{max_attempts: 3, initial_delay: 10ms, max_delay: 1s, backoff_factor: 4}")+
		serviceEntry("oneshot", "oneshot_p", `["x", 2]`, "{max_attempts: 3, initial_delay: 10ms, max_delay: 1s, backoff_factor: 2}")+
		serviceEntry("flaky", "flaky_p", "[{n: 1}]", "{max_attempts: 3, initial_delay: 10ms, max_delay: 1s, backoff_factor: 2}"))

	givenUp := func(service string) bool {
		for _, line := range strings.Split(a.logs.String(), "\n") {
			if strings.Contains(line, "giving up") && strings.Contains(line, "service="+service+" ") {
				return true
			}
		}
		return false
	}
	eventually(t, 10*time.Second, "crasher given up", func() bool { return givenUp("app:crasher") })

	var got struct {
		Ready                   bool
		Crasher, Oneshot, Flaky int
		Gaps                    []int
		OneshotArgs             []any `json:"oneshot_args"`
		FlakyArgs               []any `json:"flaky_args"`
	}
	body := a.getJSON("/counts", &got)
	// 1 start + 3 restarts, then nothing more.
	if !got.Ready || got.Crasher != 4 || len(got.Gaps) != 3 {
		t.Fatalf("crasher: %s\nlogs:\n%s", body, a.logs.String())
	}
	// Delays 10ms, 40ms, 160ms (initial_delay * backoff_factor^n): each
	// restart starts at least that long after the previous start.
	for i, min := range []int{10, 40, 160} {
		if got.Gaps[i] < min {
			t.Fatalf("restart %d came %dms after the previous start, want >= %dms (%s)", i+1, got.Gaps[i], min, body)
		}
	}
	// By now (>= 210ms after the first start) a wrongly restarted oneshot
	// (initial_delay 10ms) would have started again.
	if got.Oneshot != 1 || len(got.OneshotArgs) != 2 || got.OneshotArgs[0] != "x" || got.OneshotArgs[1] != float64(2) {
		t.Fatalf("oneshot: %s", body)
	}
	if givenUp("app:oneshot") || givenUp("app:flaky") || givenUp("app:counter") {
		t.Fatalf("unexpected give-up:\n%s", a.logs.String())
	}

	// flaky: failed once, restarted, registered again under its id.
	last := a.poll("/ping_flaky", 5*time.Second, func(body string) bool { return body != `{"ready":false}` })
	if last != `{"n":2,"same":true}` {
		t.Fatalf("flaky: %s", last)
	}
	a.poll("/lookup", 5*time.Second, func(body string) bool {
		return body == `{"app:counter":"alive","app:crasher":"NOT_FOUND","app:flaky":"alive","app:oneshot":"NOT_FOUND"}`
	})
	body = a.getJSON("/counts", &got)
	if got.Crasher != 4 || got.Oneshot != 1 || got.Flaky != 2 || len(got.FlakyArgs) != 1 || got.FlakyArgs[0] != float64(1) {
		t.Fatalf("final counts: %s", body)
	}
}

// Services stop with the host: shutdown ends a running service promptly.
func TestServiceStopsOnShutdown(t *testing.T) {
	a := procApp(t, map[string]string{
		"sleeper_p": `while true do time.sleep("60s") end`,
	}, map[string]string{
		"h": `return {alive = process.registry.lookup("app:sleeper") ~= nil}`,
	}, serviceEntry("sleeper", "sleeper_p", "", ""))
	a.poll("/h", 5*time.Second, func(body string) bool { return body == `{"alive":true}` })
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- a.h.Shutdown(ctx)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("shutdown blocked by a running service")
	}
	if n := a.h.Kernel().Count(); n != 0 {
		t.Fatalf("live processes after shutdown: %d", n)
	}
}

// A request served right after start finds every service registered: the
// host starts serving only once each service's first start registered its
// name. A service whose script is slow to reach its loop is still found.
func TestServiceRegisteredBeforeServing(t *testing.T) {
	for i := 0; i < 5; i++ {
		a := procApp(t, map[string]string{
			"slow_p": `local t = os.clock() + 0.05
while os.clock() < t do end
process.inbox():receive()`,
		}, map[string]string{
			"h": `return {found = process.registry.lookup("app:slow") ~= nil}`,
		}, serviceEntry("slow", "slow_p", "", ""))
		if code, body := a.get("/h"); code != 200 || body != `{"found":true}` {
			t.Fatalf("start %d: first request got %d %s", i, code, body)
		}
	}
}
