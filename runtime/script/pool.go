package script

import (
	"sync"
)

// Pool keeps idle States for one function entry. Get hands a State to exactly
// one goroutine; Put returns it. At most Max idle States are kept; the rest
// are closed, so a burst does not pin memory forever.
type Pool struct {
	factory *Factory
	max     int

	mu     sync.Mutex
	idle   []*State
	closed bool // retired: States coming back are closed, not kept
}

// NewPool creates a pool; max <= 0 means 64 idle States.
func NewPool(f *Factory, max int) *Pool {
	if max <= 0 {
		max = 64
	}
	return &Pool{factory: f, max: max}
}

// Get returns an idle State or a new one.
func (p *Pool) Get() *State {
	p.mu.Lock()
	n := len(p.idle)
	if n > 0 {
		s := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return s
	}
	p.mu.Unlock()
	return p.factory.New()
}

// Put returns s to the pool, or closes it when it is broken or the pool is
// full. The caller must not use s afterwards.
func (p *Pool) Put(s *State) {
	if s.broken {
		s.Close()
		return
	}
	s.L.SetTop(0)
	s.endCall()
	p.mu.Lock()
	if !p.closed && len(p.idle) < p.max {
		p.idle = append(p.idle, s)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	s.Close()
}

// Idle reports how many States are waiting in the pool.
func (p *Pool) Idle() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// Close retires the pool (its generation was replaced): idle States are
// closed now, States still in use are closed when they come back.
func (p *Pool) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, s := range idle {
		s.Close()
	}
}
