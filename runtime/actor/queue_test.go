package actor

import (
	"sync"
	"testing"
	"time"
)

func TestQueueFIFOAcrossGrowthAndWrap(t *testing.T) {
	q := NewQueue[int](0)
	next, want := 0, 0
	// Interleave pushes and pops so the ring wraps while it grows.
	for round := 1; round <= 50; round++ {
		for i := 0; i < round*3; i++ {
			if !q.Push(next) {
				t.Fatal("push refused")
			}
			next++
		}
		for i := 0; i < round*2; i++ {
			v, ok := q.TryPop()
			if !ok || v != want {
				t.Fatalf("pop %v %v, want %d", v, ok, want)
			}
			want++
		}
	}
	rest := q.PopBatch(nil, 0)
	for _, v := range rest {
		if v != want {
			t.Fatalf("batch got %d, want %d", v, want)
		}
		want++
	}
	if want != next || q.Len() != 0 {
		t.Fatalf("drained to %d of %d, len %d", want, next, q.Len())
	}
}

func TestQueueShrinksWhenQuiet(t *testing.T) {
	q := NewQueue[int](0)
	for i := 0; i < 100; i++ { // burst: the ring grows to 128
		q.Push(i)
	}
	q.PopBatch(nil, 0)
	if len(q.buf) != 128 {
		t.Fatalf("ring %d after burst, want 128 kept", len(q.buf))
	}
	for i := 0; i < 10_000; i++ { // quiet traffic, occupancy 1
		q.Push(i)
		q.TryPop()
	}
	if len(q.buf) != keepCap {
		t.Fatalf("ring %d after quiet period, want %d", len(q.buf), keepCap)
	}
	// Recurring bursts keep the ring: no shrink between them.
	for round := 0; round < 20; round++ {
		for i := 0; i < 100; i++ {
			q.Push(i)
		}
		q.PopBatch(nil, 0)
		for i := 0; i < 200; i++ {
			q.Push(i)
			q.TryPop()
		}
		if len(q.buf) != 128 {
			t.Fatalf("round %d: ring %d, want 128", round, len(q.buf))
		}
	}
}

func TestQueueLimitBatchClose(t *testing.T) {
	q := NewQueue[string](3)
	for _, s := range []string{"a", "b", "c"} {
		q.Push(s)
	}
	if q.Push("d") {
		t.Fatal("push beyond limit accepted")
	}
	if got := q.PopBatch(nil, 2); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("batch %v", got)
	}
	q.Close()
	if q.Len() != 0 || q.Push("e") {
		t.Fatal("closed queue kept items or accepted a push")
	}
	if _, ok := q.TryPop(); ok {
		t.Fatal("pop from closed queue")
	}
}

func TestQueueNotifyCoalesces(t *testing.T) {
	q := NewQueue[int](0)
	for i := 0; i < 5; i++ {
		q.Push(i)
	}
	if len(q.notify) != 1 {
		t.Fatalf("pending wake-ups %d, want 1", len(q.notify))
	}
	<-q.Notify()
	if got := q.PopBatch(nil, 0); len(got) != 5 {
		t.Fatalf("batch %v", got)
	}
}

func TestQueueConcurrentProducers(t *testing.T) {
	const producers, each = 8, 2000
	q := NewQueue[[2]int](0)
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				q.Push([2]int{p, i})
			}
		}()
	}
	last := make([]int, producers)
	for i := range last {
		last[i] = -1
	}
	for got := 0; got < producers*each; {
		for _, v := range q.PopBatch(nil, 0) {
			if v[1] != last[v[0]]+1 {
				t.Fatalf("producer %d: %d after %d", v[0], v[1], last[v[0]])
			}
			last[v[0]] = v[1]
			got++
		}
		if got < producers*each {
			select {
			case <-q.Notify():
			case <-time.After(waitLimit):
				t.Fatal("timed out waiting for producers")
			}
		}
	}
	wg.Wait()
}
