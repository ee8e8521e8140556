package luaproc

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"luahost/runtime/actor"
)

const replier = `return {main = function(parent) process.send(parent, "up", 1) end}`

// BenchmarkSpawnFirstMessage measures spawning a Lua process and receiving
// the first message it sends; it reports the median (SPEC 11.1: <= 50 µs).
func BenchmarkSpawnFirstMessage(b *testing.B) {
	n := newTestNode(b, map[string]string{"app:replier": replier})
	p, mb := attach(b, n)
	parent := p.PID().String()
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := n.SpawnUnit("app:replier", "app:processes", []any{parent}, actor.SpawnOptions{}); err != nil {
			b.Fatal(err)
		}
		recv(b, mb, 10*time.Second)
		samples = append(samples, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds())/1e3, "µs-median")
	b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds())/1e3, "µs-p99")
}

// BenchmarkIdleProcessHeap keeps LUAHOST_IDLE_PROCS (default 10,000; the
// SPEC figure is 100,000) Lua processes blocked on their inbox and reports
// heap bytes per process (SPEC 11.1: <= 40 KiB).
func BenchmarkIdleProcessHeap(b *testing.B) {
	count := envInt("LUAHOST_IDLE_PROCS", 10000)
	for i := 0; i < b.N; i++ {
		n := newTestNode(b, map[string]string{"app:idle": `return {main = function() process.inbox():receive() end}`})
		before, stackBefore := heapInUse(), stackInUse()
		for j := 0; j < count; j++ {
			if _, err := n.SpawnUnit("app:idle", "app:processes", nil, actor.SpawnOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		for n.K.Count() < count {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // let every process reach receive()
		after, stackAfter := heapInUse(), stackInUse()
		b.ReportMetric(float64(after-before)/float64(count), "heap-B/proc")
		b.ReportMetric(float64(stackAfter-stackBefore)/float64(count), "stack-B/proc")
		b.ReportMetric(float64(count), "procs")
	}
}

// BenchmarkMessagesBetweenLuaProcesses measures messages/s from one Lua
// process to another (each message carries one small table).
func BenchmarkMessagesBetweenLuaProcesses(b *testing.B) {
	n := newTestNode(b, map[string]string{
		"app:sink": `return {main = function(parent, count)
  local inbox = process.inbox()
  for i = 1, count do inbox:receive() end
  process.send(parent, "done", count)
end}`,
		"app:source": `return {main = function(sink, count)
  for i = 1, count do process.send(sink, "m", {i = i}) end
end}`,
	})
	p, mb := attach(b, n)
	b.ResetTimer()
	sink, err := n.SpawnUnit("app:sink", "app:processes", []any{p.PID().String(), float64(b.N)}, actor.SpawnOptions{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := n.SpawnUnit("app:source", "app:processes", []any{sink.String(), float64(b.N)}, actor.SpawnOptions{}); err != nil {
		b.Fatal(err)
	}
	recv(b, mb, 5*time.Minute)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func stackInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.StackInuse
}

func envInt(name string, def int) int {
	var v int
	if _, err := fmt.Sscan(getenv(name), &v); err == nil && v > 0 {
		return v
	}
	return def
}

// sinkMailbox counts deliveries and keeps nothing (a stand-in for relay
// streams in BenchmarkBroadcastSend).
type sinkMailbox struct{ n atomic.Int64 }

func (m *sinkMailbox) PushMessage(actor.Message) bool { m.n.Add(1); return true }
func (m *sinkMailbox) PushEvent(actor.Event) bool     { return true }

// BenchmarkBroadcastSend measures the cost of one process.send in a Lua
// loop that sends the same small table to many processes (the shape of a
// room broadcasting to its streams): ns per send.
func BenchmarkBroadcastSend(b *testing.B) {
	const members = 10000
	n := newTestNode(b, map[string]string{
		"app:room": `local time = require("time")
return {main = function(parent, pids, rounds)
  for r = 1, rounds do
    local ev = {i = r, t = time.now():unix_nano()}
    for j = 1, #pids do process.send(pids[j], "sse.message", ev) end
  end
  process.send(parent, "done")
end}`,
	})
	p, mb := attach(b, n)
	sink := &sinkMailbox{}
	pids := make([]any, members)
	for i := range pids {
		q, err := n.K.Attach("app:stream", sink)
		if err != nil {
			b.Fatal(err)
		}
		pids[i] = q.PID().String()
		defer q.Exit(nil, nil) // before the node's shutdown, which would wait for them
	}
	rounds := b.N/members + 1
	b.ResetTimer()
	start := time.Now()
	if _, err := n.SpawnUnit("app:room", "app:processes", []any{p.PID().String(), pids, float64(rounds)}, actor.SpawnOptions{}); err != nil {
		b.Fatal(err)
	}
	recv(b, mb, 5*time.Minute)
	el := time.Since(start)
	b.ReportMetric(float64(el.Nanoseconds())/float64(rounds*members), "ns/send")
	if got := sink.n.Load(); got != int64(rounds*members) {
		b.Fatalf("%d deliveries, want %d", got, rounds*members)
	}
}
