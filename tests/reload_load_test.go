package tests

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"luahost/runtime/host"
)

// Reload under load and across many generations (SPEC 10, 11.2): these
// call Reload directly to make many reloads quickly; the watcher is tested
// in reload_watch_test.go.

// reload writes files (in place) and reloads; the reload must succeed.
func (r *rldApp) reload(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		r.writeInPlace(name, content)
	}
	if err := r.h.Reload(); err != nil {
		r.t.Fatalf("reload: %v", err)
	}
}

// rldBaseline waits until the goroutine count and live heap are back near
// (g0, h0), failing with the last values after the deadline.
func rldBaseline(t *testing.T, g0 int, h0 uint64, heapSlack uint64) {
	t.Helper()
	var g int
	var hp uint64
	deadline := time.Now().Add(10 * time.Second)
	for {
		g, hp = settle()
		if g <= g0+2 && hp <= h0+heapSlack {
			t.Logf("goroutines %d (baseline %d), heap %s (baseline %s)", g, g0, mib(hp), mib(h0))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not back to baseline: goroutines %d (baseline %d), heap %s (baseline %s, slack %s)",
				g, g0, mib(hp), mib(h0), mib(heapSlack))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A client sending requests continuously while 50 reloads happen sees no
// failed request: every answer is the old or the new body, never an older
// one than it already saw, and the request after Reload returns runs the new
// code. Afterwards goroutines and heap are back to where they were.
func TestReloadUnderLoad(t *testing.T) {
	base := handlerEntries("h", "GET", "/v", "h.lua", "http")
	extra := handlerEntries("x", "GET", "/x", "x.lua", "http")
	r := rldStart(t, base, map[string]string{"h.lua": rldText("v0"), "x.lua": rldText("x")}, false)
	client := rldClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 20 {
		if code, body, err := rldFetch(ctx, client, r.base+"/v"); err != nil || code != 200 || body != "v0" {
			t.Fatalf("warm-up: %d %q %v", code, body, err)
		}
	}
	client.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	g0, h0 := settle()

	const clients, reloads = 4, 50
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		bad      []string
		requests atomic.Int64
		current  atomic.Int64 // newest version reloaded so far
	)
	stop := make(chan struct{})
	for range clients {
		wg.Go(func() {
			last := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				atLeast := int(current.Load())
				code, body, err := rldFetch(ctx, client, r.base+"/v")
				requests.Add(1)
				var v int
				_, scanErr := fmt.Sscanf(body, "v%d", &v)
				if err != nil || code != 200 || scanErr != nil || v < last || v < atLeast || v > reloads {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%d %q %v (after v%d)", code, body, err, last))
					mu.Unlock()
					continue
				}
				last = v
			}
		})
	}
	for k := 1; k <= reloads; k++ {
		files := map[string]string{"h.lua": rldText(fmt.Sprintf("v%d", k))}
		// Every few reloads the registry changes too: a route comes and goes.
		if k%5 == 0 {
			reg := base
			if k%10 == 0 {
				reg += extra
			}
			files["registry.yaml"] = rldRegistry(reg)
		}
		r.reload(files)
		current.Store(int64(k))
		if code, body, err := rldFetch(ctx, client, r.base+"/v"); err != nil || code != 200 || body != fmt.Sprintf("v%d", k) {
			t.Fatalf("request after reload %d: %d %q %v", k, code, body, err)
		}
		time.Sleep(2 * time.Millisecond) // let the clients hit this version
	}
	close(stop)
	wg.Wait()
	mu.Lock()
	if len(bad) > 0 {
		t.Fatalf("%d of %d requests failed or went back in time, e.g. %v", len(bad), requests.Load(), bad[:min(5, len(bad))])
	}
	mu.Unlock()
	if got := r.reloads(); got != reloads {
		t.Fatalf("%d reload log lines, want %d", got, reloads)
	}
	t.Logf("%d requests during %d reloads", requests.Load(), reloads)
	client.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	rldBaseline(t, g0, h0, 4<<20)
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A changed addr (saved through the watcher) rebinds the server: the new
// address serves the new code, the old one stops accepting, and a request
// in flight finishes on the old code. The replaced generation's pools are
// emptied.
func TestReloadRebindAddr(t *testing.T) {
	slow := func(v string) string {
		return `local http = require("http")
local time = require("time")
return {handler = function()
  local res = http.response()
  res:write("start ")
  res:flush()
  time.sleep("500ms")
  res:write("slow-` + v + `")
end}
`
	}
	entries := handlerEntries("h", "GET", "/v", "h.lua", "http") + handlerEntries("slow", "GET", "/slow", "slow.lua", "http, time")
	r := rldStart(t, entries, map[string]string{"h.lua": rldText("v1"), "slow.lua": slow("v1")}, true)
	oldAddr := r.h.Addr("app:gateway")
	r.expect("/v", "v1")
	oldGen := r.h.Generation()
	if oldGen.Pools["app:h"].Idle() == 0 {
		t.Fatal("no idle state after a request: the pool check below would prove nothing")
	}

	// A request in flight on the old server and the old code.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := rldClient(t)
	req, _ := http.NewRequestWithContext(ctx, "GET", r.base+"/slow", nil)
	resp, err := client.Do(req) // returns once "start " is flushed
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	newAddr := freeAddr(t)
	n := r.reloads()
	r.writeInPlace("h.lua", rldText("v2"))
	r.writeInPlace("slow.lua", slow("v2"))
	r.writeRename("registry.yaml", strings.Replace(rldRegistry(entries), `addr: "127.0.0.1:0"`, `addr: "`+newAddr+`"`, 1))
	eventually(t, rldWithin, "the server to move to "+newAddr, func() bool { return r.h.Addr("app:gateway") == newAddr })
	r.base = "http://" + newAddr
	// The new server may listen a moment before the new generation is
	// swapped in; old code until then is fine, anything else is not.
	r.waitServed("/v", "v2", "v1")
	r.waitReloads(n, "the reload log line")
	if line := r.lastReloadLine(); !strings.Contains(line, "changed=[app:gateway]") {
		t.Fatalf("reload log line: %s", line)
	}
	r.waitLog("the old server to be retired", "server retired", oldAddr)

	// The old address no longer accepts connections.
	eventually(t, rldWithin, "the old address to refuse connections", func() bool {
		c, err := net.DialTimeout("tcp", oldAddr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})

	// The request in flight finishes, on the old code.
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "start slow-v1" {
		t.Fatalf("in-flight request: %q %v", body, err)
	}
	code, _, newBody := r.do("GET", "/slow", "", nil)
	if code != 200 || newBody != "start slow-v2" {
		t.Fatalf("new request: %d %q", code, newBody)
	}
	// The old generation's states were released, including the one the
	// in-flight request used.
	for id, p := range oldGen.Pools {
		if p.Idle() != 0 {
			t.Fatalf("retired pool %s keeps %d states", id, p.Idle())
		}
	}
}

// 200 reloads, each followed by concurrent requests that fill the new
// generation's pool: the retired generations (and their pools and States)
// are garbage, and goroutines and heap return to baseline.
func TestReloadManyReleasesGenerations(t *testing.T) {
	entries := handlerEntries("h", "GET", "/v", "h.lua", "http") + handlerEntries("j", "GET", "/j", "j.lua", "http, json")
	jScript := func(k int) string {
		return `local http = require("http")
local json = require("json")
local big = {}
for i = 1, 200 do big[i] = "padding " .. i end
return {handler = function()
  http.response():write(json.encode({k = ` + fmt.Sprint(k) + `, n = #big}))
end}
`
	}
	r := rldStart(t, entries, map[string]string{"h.lua": rldText("v0"), "j.lua": jScript(0)}, false)
	client := rldClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	burst := func(k int) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				path, want := "/v", fmt.Sprintf("v%d", k)
				if i%2 == 1 {
					path, want = "/j", fmt.Sprintf(`{"k":%d,"n":200}`, k)
				}
				if code, body, err := rldFetch(ctx, client, r.base+path); err != nil || code != 200 || body != want {
					t.Errorf("GET %s after reload %d: %d %q %v", path, k, code, body, err)
				}
			})
		}
		wg.Wait()
	}
	burst(0)
	client.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	g0, h0 := settle()

	const reloads = 200
	gens := []weak.Pointer[host.Generation]{weak.Make(r.h.Generation())}
	for k := 1; k <= reloads; k++ {
		r.reload(map[string]string{"h.lua": rldText(fmt.Sprintf("v%d", k)), "j.lua": jScript(k)})
		gens = append(gens, weak.Make(r.h.Generation()))
		burst(k)
		if t.Failed() {
			t.FailNow()
		}
	}
	client.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	eventually(t, 10*time.Second, "retired generations to be collected", func() bool {
		settle()
		for _, g := range gens[:reloads] {
			if g.Value() != nil {
				return false
			}
		}
		return true
	})
	rldBaseline(t, g0, h0, 2<<20)
}

// A changed addr that cannot be bound fails the reload: nothing changes,
// the old server keeps serving the old code.
func TestReloadRebindToBusyAddrKeepsServing(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	entries := handlerEntries("h", "GET", "/v", "h.lua", "http")
	r := rldStart(t, entries, map[string]string{"h.lua": rldText("v1")}, true)
	addr := r.h.Addr("app:gateway")
	n := r.reloads()
	r.writeInPlace("h.lua", rldText("v2"))
	r.writeInPlace("registry.yaml", strings.Replace(rldRegistry(entries), `addr: "127.0.0.1:0"`, `addr: "`+busy.Addr().String()+`"`, 1))
	r.waitLog("the bind failure to be logged", "reload failed", busy.Addr().String())
	for range 3 {
		r.expect("/v", "v1")
	}
	if r.h.Addr("app:gateway") != addr || r.reloads() != n {
		t.Fatalf("a failed rebind changed the app: addr %s -> %s", addr, r.h.Addr("app:gateway"))
	}
	// Back to a bindable registry: the script change is picked up.
	r.writeInPlace("registry.yaml", rldRegistry(entries))
	r.waitServed("/v", "v2", "v1")
	if r.h.Addr("app:gateway") != addr {
		t.Fatalf("server moved from %s to %s though its addr did not change", addr, r.h.Addr("app:gateway"))
	}
}

// 200 reloads that each move the server to a new address: every new
// address serves, and the retired servers are forgotten once they have
// stopped (no growth).
func TestReloadManyRebindsRelease(t *testing.T) {
	entries := handlerEntries("h", "GET", "/v", "h.lua", "http")
	r := rldStart(t, entries, map[string]string{"h.lua": rldText("v0")}, false)
	client := rldClient(t)
	ctx := context.Background()
	if code, body, err := rldFetch(ctx, client, r.base+"/v"); err != nil || code != 200 || body != "v0" {
		t.Fatalf("warm-up: %d %q %v", code, body, err)
	}
	client.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	g0, h0 := settle()
	const reloads = 200
	for k := 1; k <= reloads; k++ {
		addr := freeAddr(t)
		r.reload(map[string]string{"registry.yaml": strings.Replace(rldRegistry(entries), `addr: "127.0.0.1:0"`, `addr: "`+addr+`"`, 1)})
		if got := r.h.Addr("app:gateway"); got != addr {
			t.Fatalf("reload %d: server on %s, want %s", k, got, addr)
		}
		if code, body, err := rldFetch(ctx, client, "http://"+addr+"/v"); err != nil || code != 200 || body != "v0" {
			t.Fatalf("reload %d: GET on the new address: %d %q %v", k, code, body, err)
		}
	}
	client.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	// A retired server costs a few KiB: 200 kept would be ~0.6 MiB.
	rldBaseline(t, g0, h0, 256<<10)
}
