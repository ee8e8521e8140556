package tests

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// leakApp serves GET /cycle?n=N&proc=NAME: one spawner process spawns N
// processes NAME, 100 at a time with spawn_monitored, and waits for each
// batch's EXIT events (with a blocking receive, so it creates no timers).
func leakApp(t *testing.T, procs map[string]string) *app {
	procs["spawner"] = `local parent, total, batch, name = ...
local done = 0
while done < total do
  local n = math.min(batch, total - done)
  for i = 1, n do
    local pid, err = process.spawn_monitored(name, "processes", i)
    if not pid then error(err:message()) end
  end
  for i = 1, n do
    local ev = process.events():receive()
    if ev.kind ~= process.event.EXIT or ev.result.error then error("bad exit event") end
  end
  done = done + n
end
process.send(parent, "done", done)`
	return procApp(t, procs, map[string]string{
		"cycle": `local req = http.request()
process.spawn("spawner", "processes", process.pid(), tonumber(req:query("n")), 100, req:query("proc"))
local m = recv("85s")
if m == nil then return {timeout = true} end
return {done = m:payload():data()}`,
	}, "")
}

// cycles runs n spawn/exit cycles of process proc and requires that
// afterwards, within a deadline, no process is left and goroutines and
// heap are back near the baseline taken after a warm-up run.
func (a *app) cycles(proc string, n int) {
	t := a.t
	t.Helper()
	// Warm up: fill the LState pools and the HTTP connection.
	a.want("/cycle?n=500&proc="+proc, `{"done":500}`)
	k := a.h.Kernel()
	eventually(t, 5*time.Second, "warm-up processes gone", func() bool { return k.Count() == 0 })
	baseG, baseHeap := settle()

	start := time.Now()
	a.timeout = 90 * time.Second // 10,000 cycles under -race on a busy machine
	a.want(fmt.Sprintf("/cycle?n=%d&proc=%s", n, proc), fmt.Sprintf(`{"done":%d}`, n))
	a.timeout = 0
	t.Logf("%d spawn/exit cycles of %s in %v", n, proc, time.Since(start))

	const slackG, slackHeap = 10, 16 << 20
	var g int
	var heap uint64
	deadline := time.Now().Add(5 * time.Second)
	for {
		g, heap = settle()
		if k.Count() == 0 && g <= baseG+slackG && heap <= baseHeap+slackHeap {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d cycles: processes %d, goroutines %d (baseline %d), heap %s (baseline %s)",
				n, k.Count(), g, baseG, mib(heap), mib(baseHeap))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("goroutines %d (baseline %d), heap %s (baseline %s)", g, baseG, mib(heap), mib(baseHeap))
}

// SPEC 11.2: 10,000 process spawn/exit cycles return goroutines and heap to
// baseline.
func TestProcessSpawnExitDoesNotLeak(t *testing.T) {
	a := leakApp(t, map[string]string{
		"nop": `local i = ...
local t = {}
for j = 1, 10 do t[j] = {i, j} end
process.send(process.pid(), "self", t)
process.inbox():receive()
return i`,
	})
	a.cycles("nop", 10000)
}

// The same for processes that wait for messages with a timeout, the
// request/reply pattern of SPEC 7.3: a time.after channel that nobody can
// receive from any more (its process has exited) must not keep memory
// until the timer would have fired (here: 60 s).
func TestProcessTimeoutsDoNotOutliveProcess(t *testing.T) {
	a := leakApp(t, map[string]string{
		"waiter": `local inbox = process.inbox()
for i = 1, 10 do
  process.send(process.pid(), "x", i)
  local r = channel.select{inbox:case_receive(), time.after("60s"):case_receive()}
  if not rawequal(r.channel, inbox) then error("timeout won") end
end
return 1`,
	})
	a.cycles("waiter", 10000)
}

// settle collects garbage and returns the goroutine count and live heap.
func settle() (int, uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

func mib(n uint64) string { return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20)) }

// A long-lived process that waits for each message with a timeout (select
// on inbox and time.after) must not keep every unfired timer alive: after
// 100,000 such waits, the idle process costs about what it did before
// (SPEC 11.1 bounds an idle Lua process; Go's own time.After timers are
// collectable once unreferenced).
func TestProcessTimeoutsDoNotAccumulate(t *testing.T) {
	a := procApp(t, map[string]string{
		"server": `local parent, n = ...
local inbox = process.inbox()
for i = 1, n do
  process.send(process.pid(), "x", i)
  local r = channel.select{inbox:case_receive(), time.after("60s"):case_receive()}
  if not rawequal(r.channel, inbox) then error("timeout won") end
end
process.send(parent, "done", n)
process.inbox():receive() -- stay alive, idle`,
	}, map[string]string{
		"run": `local n = tonumber(http.request():query("n"))
process.spawn("server", "processes", process.pid(), n)
local m = recv("85s")
return {done = m and m:payload():data()}`,
	}, "")
	a.want("/run?n=1000", `{"done":1000}`)
	baseG, baseHeap := settle()
	start := time.Now()
	a.timeout = 90 * time.Second // one request runs 100,000 waits
	a.want("/run?n=100000", `{"done":100000}`)
	a.timeout = 0
	t.Logf("100,000 waits in %v", time.Since(start))
	const slackHeap = 16 << 20
	var heap uint64
	var g int
	deadline := time.Now().Add(5 * time.Second)
	for {
		g, heap = settle()
		if heap <= baseHeap+slackHeap && g <= baseG+10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("idle process after 100,000 timed waits: heap %s (baseline %s), goroutines %d (baseline %d)",
				mib(heap), mib(baseHeap), g, baseG)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("heap %s (baseline %s)", mib(heap), mib(baseHeap))
}
