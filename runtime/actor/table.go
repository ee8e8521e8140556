package actor

import (
	"sync"
	"sync/atomic"
)

// tableShards is the number of PID table shards. Seqs are sequential, so
// seq % tableShards spreads processes evenly; 64 shards keep read-lock
// contention on the send path negligible on small machines.
const tableShards = 64

// procTable maps a Seq to its live process. Send takes one shard's read
// lock; spawn and exit take one shard's write lock. There is no global lock.
type procTable struct {
	shards [tableShards]tableShard
	count  atomic.Int64
}

type tableShard struct {
	mu sync.RWMutex
	m  map[uint64]*Proc
	_  [32]byte // keep neighbouring shards' locks off one cache line
}

func (t *procTable) shard(seq uint64) *tableShard { return &t.shards[seq%tableShards] }

func (t *procTable) put(p *Proc) {
	s := t.shard(p.pid.Seq)
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[uint64]*Proc)
	}
	s.m[p.pid.Seq] = p
	s.mu.Unlock()
	t.count.Add(1)
}

// get returns the live process whose PID equals pid exactly (same node and
// host too), or nil.
func (t *procTable) get(pid PID) *Proc {
	s := t.shard(pid.Seq)
	s.mu.RLock()
	p := s.m[pid.Seq]
	s.mu.RUnlock()
	if p == nil || p.pid != pid {
		return nil
	}
	return p
}

func (t *procTable) remove(p *Proc) {
	s := t.shard(p.pid.Seq)
	s.mu.Lock()
	_, ok := s.m[p.pid.Seq]
	delete(s.m, p.pid.Seq)
	s.mu.Unlock()
	if ok {
		t.count.Add(-1)
	}
}

// snapshot returns every process in the table at the time each shard is
// visited.
func (t *procTable) snapshot() []*Proc {
	out := make([]*Proc, 0, t.count.Load())
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.RLock()
		for _, p := range s.m {
			out = append(out, p)
		}
		s.mu.RUnlock()
	}
	return out
}
