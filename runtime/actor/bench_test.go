package actor

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// drainer is a spawned run function that counts received messages until
// its process is cancelled.
func drainer(got *atomic.Int64) RunFunc {
	return func(p *Proc) (any, error) {
		q := queues(p).Messages
		buf := make([]Message, 0, 256)
		for {
			buf = q.PopBatch(buf[:0], 256)
			got.Add(int64(len(buf)))
			if len(buf) > 0 {
				continue
			}
			select {
			case <-q.Notify():
			case <-p.Context().Done():
				return nil, nil
			}
		}
	}
}

func benchKernel(b *testing.B) *Kernel {
	k, _ := newKernel(b, Options{MailboxLimit: -1})
	return k
}

// BenchmarkSend: one sender to one draining receiver; ns per delivered
// message. The sender yields while more than maxBacklog messages are
// queued (checked every 256 sends), so the result is steady-state delivery
// cost rather than the growth of an ever larger backlog.
func BenchmarkSend(b *testing.B) {
	const maxBacklog = 1024
	k := benchKernel(b)
	var got atomic.Int64
	to, _ := k.Spawn("recv", drainer(&got), SpawnOptions{})
	q := queues(k.table.get(to)).Messages
	from := PID{Host: "bench", Seq: 1}
	payload := []any{"hello"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.Send(from, to, "t", payload)
		if i%256 == 0 {
			for q.Len() > maxBacklog {
				runtime.Gosched()
			}
		}
	}
	waitUntil(b, "all delivered", func() bool { return got.Load() == int64(b.N) })
}

// BenchmarkSendBacklog is BenchmarkSend without flow control: the sender
// outruns the receiver and B/op shows the queue's growth.
func BenchmarkSendBacklog(b *testing.B) {
	k := benchKernel(b)
	var got atomic.Int64
	to, _ := k.Spawn("recv", drainer(&got), SpawnOptions{})
	from := PID{Host: "bench", Seq: 1}
	payload := []any{"hello"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.Send(from, to, "t", payload)
	}
	waitUntil(b, "all delivered", func() bool { return got.Load() == int64(b.N) })
}

// BenchmarkSendParallel: GOMAXPROCS senders, each spreading messages over
// 64 draining receivers, exercising the sharded PID table.
func BenchmarkSendParallel(b *testing.B) {
	const receivers = 64
	k := benchKernel(b)
	var got atomic.Int64
	pids := make([]PID, receivers)
	for i := range pids {
		pids[i], _ = k.Spawn("recv", drainer(&got), SpawnOptions{})
	}
	var sent atomic.Int64
	var next atomic.Int64
	payload := []any{"hello"}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		from := PID{Host: "bench", Seq: uint64(next.Add(1))}
		i, n := int(from.Seq), int64(0)
		for pb.Next() {
			k.Send(from, pids[i%receivers], "t", payload)
			i++
			n++
		}
		sent.Add(n)
	})
	waitUntil(b, "all delivered", func() bool { return got.Load() == sent.Load() })
}

// BenchmarkSpawnExit: spawn a process that returns at once, until all have
// exited.
func BenchmarkSpawnExit(b *testing.B) {
	k := benchKernel(b)
	var wg sync.WaitGroup
	run := func(*Proc) (any, error) { wg.Done(); return nil, nil }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		if _, err := k.Spawn("p", run, SpawnOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	waitUntil(b, "all exited", func() bool { return k.live.Load() == 0 })
}
