package actor

import (
	"fmt"
	"runtime"
	"testing"
)

// heapSlack is the generous bound on heap growth after 10,000 cycles; a
// leaked process (handle, context, mailbox, goroutine) costs well over 400
// bytes, so a real leak would exceed it.
const heapSlack = 4 << 20

func heapAlloc() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestSpawnExitCyclesReturnToBaseline(t *testing.T) {
	const cycles = 10_000
	k, _ := newKernel(t, Options{})
	obs := attach(t, k)
	target := attach(t, k) // long-lived, monitored and linked by every child
	target.SetTrapLinks(true)

	run := func(i int) RunFunc {
		return func(p *Proc) (any, error) {
			if err := k.Monitor(p.PID(), target.PID()); err != nil {
				return nil, err
			}
			if err := k.Link(p.PID(), target.PID()); err != nil {
				return nil, err
			}
			if err := k.Register(fmt.Sprint("n", i), p.PID()); err != nil {
				return nil, err
			}
			k.Send(p.PID(), target.PID(), "hello", []any{i})
			return i, nil
		}
	}
	cycle := func() {
		for i := 0; i < cycles; i++ {
			if _, err := k.Spawn("child", run(i), SpawnOptions{Parent: obs.PID(), Monitor: true}); err != nil {
				t.Fatal(err)
			}
			if i%500 == 499 { // drain as we go so mailboxes stay small
				drainExits(t, obs, 500)
				queues(target).Messages.PopBatch(nil, 0)
			}
		}
		waitUntil(t, "children gone", func() bool { return k.Count() == 2 && k.live.Load() == 2 })
		queues(target).Messages.PopBatch(nil, 0)
	}
	cycle() // warm-up: lets tables and pools reach their steady size
	goroutines, heap := runtime.NumGoroutine(), heapAlloc()
	cycle()
	settleGoroutines(t, goroutines, 0)
	if after := heapAlloc(); after > heap+heapSlack {
		t.Fatalf("heap grew from %d to %d bytes", heap, after)
	}
	target.mu.Lock()
	links, monitors := len(target.links), len(target.monitors)
	target.mu.Unlock()
	if links != 0 || monitors != 0 || len(k.names.m) != 0 {
		t.Fatalf("relations left: links=%d monitors=%d names=%d", links, monitors, len(k.names.m))
	}
}

func drainExits(t *testing.T, p *Proc, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if ev := nextEvent(t, p); ev.Kind != EventExit || ev.Err != nil {
			t.Fatalf("child exit %+v", ev)
		}
	}
}
