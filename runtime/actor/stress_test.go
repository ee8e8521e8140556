package actor

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestConcurrentRelationsStress races relation changes, names, sends,
// cancels and terminations against exits. It passes if nothing deadlocks
// (bounded wait), the race detector stays quiet, and the long-lived hubs
// hold no relation to any dead process at the end.
func TestConcurrentRelationsStress(t *testing.T) {
	const workers, procs, opsEach = 4, 1000, 3000
	k, _ := newKernel(t, Options{})
	hubs := []*Proc{attach(t, k), attach(t, k)}
	pool := make([]*Proc, procs)
	for i := range pool {
		pool[i], _ = k.Attach("p", nil)
		pool[i].SetTrapLinks(i%2 == 0)
	}
	all := append(append([]*Proc{}, hubs...), pool...)
	for _, h := range hubs {
		h.SetTrapLinks(true)
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for i := 0; i < opsEach; i++ {
				randomOp(k, r, all, pool)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("stress workers deadlocked")
	}
	for _, p := range pool {
		p.Exit(nil, nil)
	}
	for _, h := range hubs {
		h.mu.Lock()
		n := len(h.links) + len(h.monitors) + len(h.watching)
		h.mu.Unlock()
		if n != 0 {
			t.Errorf("hub %v holds %d relations after every peer exited", h.PID(), n)
		}
	}
	if k.Count() != len(hubs) {
		t.Fatalf("count %d", k.Count())
	}
}

func randomOp(k *Kernel, r *rand.Rand, all, pool []*Proc) {
	a, b := all[r.IntN(len(all))].PID(), all[r.IntN(len(all))].PID()
	switch r.IntN(10) {
	case 0:
		_ = k.Monitor(a, b)
	case 1:
		_ = k.Demonitor(a, b)
	case 2:
		_ = k.Link(a, b)
	case 3:
		_ = k.Unlink(a, b)
	case 4:
		_ = k.Register(fmt.Sprint("n", r.IntN(20)), b)
	case 5:
		k.Unregister(fmt.Sprint("n", r.IntN(20)))
	case 6:
		_ = k.Cancel(a, b, "x")
	case 7:
		_ = k.Terminate(pool[r.IntN(len(pool))].PID())
	case 8:
		var err error
		if r.IntN(2) == 0 {
			err = errBoom
		}
		pool[r.IntN(len(pool))].Exit(nil, err)
	default:
		k.Send(a, b, "t", []any{1})
	}
}
