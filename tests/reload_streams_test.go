package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// rldTickScript is a direct-SSE handler that sends numbered ticks, each
// saying which version of the code sent it, until the client leaves.
func rldTickScript(version string) string {
	return `local http = require("http")
local time = require("time")
return {handler = function()
  local res = http.response()
  for i = 1, 1000000 do
    if res:write_event({name = "tick", data = {v = "` + version + `", i = i}}) then return end
    time.sleep("10ms")
  end
end}
`
}

// rldPushScript sends event n to the relay stream pid and answers with its
// version.
func rldPushScript(version string) string {
	return `local http = require("http")
return {handler = function()
  local req = http.request()
  local ok, err = process.send(req:query("pid"), "sse.message", {n = tonumber(req:query("n")), v = "` + version + `"})
  if not ok then
    http.response():set_status(500)
    http.response():write(tostring(err))
    return
  end
  http.response():write("` + version + `")
end}
`
}

// rldEvent is the data of a tick or relay event.
type rldEvent struct {
	Name string
	V    string `json:"v"`
	I    int    `json:"i"`
	N    int    `json:"n"`
}

func rldParse(t *testing.T, frame string) rldEvent {
	t.Helper()
	var ev rldEvent
	for line := range strings.Lines(frame) {
		line = strings.TrimSuffix(line, "\n")
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			ev.Name = name
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			if err := json.Unmarshal([]byte(data), &ev); err != nil {
				t.Fatalf("frame %q: %v", frame, err)
			}
		}
	}
	return ev
}

// An open direct-SSE stream and an open relay stream keep receiving events
// across five reloads (through the watcher) that replace the code of both
// the stream handler and the handler feeding the relay: no event is lost or
// duplicated, and the streams keep running the code they started with
// while new requests get the new code.
func TestReloadKeepsStreams(t *testing.T) {
	entries := handlerEntries("tick", "GET", "/tick", "tick.lua", "http, time") +
		relayRouter("") + relayOpenEntries("/events") + handlerEntries("push", "POST", "/push", "push.lua", "http")
	r := rldStart(t, entries, map[string]string{
		"tick.lua": rldTickScript("v1"),
		"push.lua": rldPushScript("v1"),
		"open.lua": `local http = require("http")
local json = require("json")
return {handler = function()
  http.response():set_header("X-SSE-Relay", json.encode({heartbeat_interval = "0s"}))
end}`,
	}, true)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	direct := rldReadFrames(openSSE(t, ctx, r.base+"/tick"))
	relayed := rldReadFrames(openSSE(t, ctx, r.base+"/sse/events"))
	ready := relayed.wait(t, 5*time.Second, "the relay ready event", func(f []string) bool { return len(f) > 0 })[0]
	if !strings.HasPrefix(ready, "event: ready\n") {
		t.Fatalf("first relay frame %q", ready)
	}
	pid := ready[strings.Index(ready, `"stream_pid":"`)+14 : strings.LastIndex(ready, `"}`)]

	// Feed the relay stream continuously through the push handler.
	client := rldClient(t)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		pushed int
		bad    []string
	)
	stop := make(chan struct{})
	push := func(n int) (string, error) {
		code, body, err := rldDo(ctx, client, "POST", fmt.Sprintf("%s/push?pid=%s&n=%d", r.base, pid, n))
		if err == nil && code != 200 {
			err = fmt.Errorf("%d %s", code, body)
		}
		return body, err
	}
	wg.Go(func() {
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := push(n); err != nil {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("push %d: %v", n, err))
				mu.Unlock()
				return
			}
			mu.Lock()
			pushed = n
			mu.Unlock()
			time.Sleep(3 * time.Millisecond) // pacing, not a check
		}
	})

	// Five reloads, each replacing both scripts; the streams must receive
	// events after each one.
	for k := 2; k <= 6; k++ {
		n := r.reloads()
		nd, nr := len(direct.all()), len(relayed.all())
		v := fmt.Sprintf("v%d", k)
		if k%2 == 0 {
			r.writeInPlace("tick.lua", rldTickScript(v))
			r.writeInPlace("push.lua", rldPushScript(v))
		} else {
			r.writeRename("tick.lua", rldTickScript(v))
			r.writeRename("push.lua", rldPushScript(v))
		}
		r.waitReloads(n, "reload "+v)
		direct.wait(t, 5*time.Second, "direct ticks after reload "+v, func(f []string) bool { return len(f) > nd+3 })
		relayed.wait(t, 5*time.Second, "relay events after reload "+v, func(f []string) bool { return len(f) > nr+3 })
	}
	close(stop)
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("pushes failed: %v", bad)
	}

	// New requests run the new code.
	if body, err := push(pushed + 1); err != nil || body != "v6" {
		t.Fatalf("last push: %q %v", body, err)
	}
	final := pushed + 1
	fresh := rldReadFrames(openSSE(t, ctx, r.base+"/tick"))
	first := fresh.wait(t, 5*time.Second, "a tick on a new stream", func(f []string) bool { return len(f) > 0 })[0]
	if ev := rldParse(t, first); ev.V != "v6" || ev.I != 1 {
		t.Fatalf("new stream's first tick %+v, want v6 #1", ev)
	}

	// The relay stream got every event exactly once, in order.
	got := relayed.wait(t, 5*time.Second, fmt.Sprintf("relay events up to %d", final), func(f []string) bool {
		return len(f) > 1 && rldParse(t, f[len(f)-1]).N >= final
	})
	for i, f := range got[1:] {
		ev := rldParse(t, f)
		if ev.Name != "sse.message" || ev.N != i+1 {
			t.Fatalf("relay event %d: %q (lost or duplicated events)", i+1, f)
		}
	}
	if n := len(got) - 1; n != final {
		t.Fatalf("relay stream got %d events, %d were pushed", n, final)
	}
	// The pushes were served by every version of push.lua in turn.
	seen := map[string]bool{}
	for _, f := range got[1:] {
		seen[rldParse(t, f).V] = true
	}
	if len(seen) < 2 || !seen["v6"] {
		t.Fatalf("versions that fed the relay: %v", seen)
	}

	t.Logf("%d relay events from versions %v; %d direct ticks", final, seen, len(direct.all()))
	// The direct stream's ticks are consecutive and all from the code it
	// started with.
	ticks := direct.all()
	for i, f := range ticks {
		if ev := rldParse(t, f); ev.Name != "tick" || ev.I != i+1 || ev.V != "v1" {
			t.Fatalf("direct tick %d: %q", i+1, f)
		}
	}
}
