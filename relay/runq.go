package relay

import (
	"runtime"
	"sync"
)

// runq is the hub's queue of taken-over streams that have work, served by
// a fixed set of worker goroutines (one per CPU). A stream is in the queue
// at most once (its running flag), so the queue never holds more entries
// than there are streams. A stream that still has work after a step goes
// to the back: while the workers are behind, each stream's events pile up
// in its box and go out in one write, so a burst costs fewer system calls
// the busier the server is.
type runq struct {
	mu      sync.Mutex
	cond    sync.Cond
	q       []*stream // q[head:] waits, oldest first
	head    int
	idle    int // workers waiting in cond
	stopped bool
	done    sync.WaitGroup
}

func newRunq() *runq {
	r := &runq{}
	r.cond.L = &r.mu
	n := runtime.GOMAXPROCS(0)
	r.done.Add(n)
	for range n {
		go r.work()
	}
	return r
}

// push queues s; the caller holds s's running flag.
func (r *runq) push(s *stream) {
	r.mu.Lock()
	r.q = append(r.q, s)
	wake := r.idle > 0
	r.mu.Unlock()
	if wake {
		r.cond.Signal()
	}
}

// pop waits for a stream; nil once stopped.
func (r *runq) pop() *stream {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.head == len(r.q) {
		if r.stopped {
			return nil
		}
		r.q, r.head = r.q[:0], 0
		r.idle++
		r.cond.Wait()
		r.idle--
	}
	s := r.q[r.head]
	r.q[r.head] = nil
	r.head++
	if r.head > 1024 && r.head*2 > len(r.q) { // reuse the consumed front
		n := copy(r.q, r.q[r.head:])
		clear(r.q[n:])
		r.q, r.head = r.q[:n], 0
	}
	return s
}

// work is a worker goroutine: it runs queued streams until stop.
func (r *runq) work() {
	defer r.done.Done()
	for {
		s := r.pop()
		if s == nil {
			return
		}
		s.runOnce()
	}
}

// stop ends the workers once the queue is empty and waits for them.
func (r *runq) stop() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	r.cond.Broadcast()
	r.done.Wait()
}
