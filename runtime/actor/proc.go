package actor

import (
	"context"
	"sync"
	"sync/atomic"
)

// Proc is the handle of one process. Its methods are safe for concurrent
// use, but by convention only the process's owner (the spawned goroutine,
// or the goroutine that called Attach) consumes its mailbox and calls Exit.
type Proc struct {
	k        *Kernel
	pid      PID
	parent   PID
	mb       Mailbox
	ctx      context.Context
	cancel   context.CancelCauseFunc
	attached bool // driven by the caller of Attach, not by a kernel goroutine
	trap     atomic.Bool
	dead     atomic.Bool // set once, under mu, when the process exits

	mu       sync.Mutex // guards the fields below
	killErr  error      // first kill cause; overrides exit values
	fixed    bool       // exit values forced by SetFixedExit
	fixedRes any
	links    map[*Proc]struct{} // bidirectional links
	monitors map[*Proc]struct{} // processes monitoring this one
	watching map[*Proc]struct{} // processes this one monitors
	names    []string           // registered names owned by this process
}

// SetFixedExit makes every exit of p, however it happens (Exit, kill,
// shutdown), report result with no error to monitors and links. It is for
// processes whose end is always normal by contract: an SSE relay stream
// reports "sse relay closed" (SPEC 9.3). Call it right after Attach.
func (p *Proc) SetFixedExit(result any) {
	p.mu.Lock()
	p.fixed, p.fixedRes = true, result
	p.mu.Unlock()
}

// PID returns the process identifier.
func (p *Proc) PID() PID { return p.pid }

// Parent returns SpawnOptions.Parent (zero for attached processes).
func (p *Proc) Parent() PID { return p.parent }

// Context is cancelled when the process is killed (cause ErrTerminated,
// ErrLinkedFailed or ErrMailboxOverflow), when the kernel shuts down (cause
// ErrShutdown), or after the process exits. context.Cause gives the reason.
func (p *Proc) Context() context.Context { return p.ctx }

// Mailbox returns the process's mailbox: a *QueueMailbox unless a custom one
// was given to Spawn or Attach.
func (p *Proc) Mailbox() Mailbox { return p.mb }

// SetTrapLinks sets trap_links: when true, an error exit of a linked process
// only delivers EventLinkDown instead of killing this process.
func (p *Proc) SetTrapLinks(on bool) { p.trap.Store(on) }

// TrapLinks reports the trap_links flag.
func (p *Proc) TrapLinks() bool { return p.trap.Load() }

// Alive reports whether the process has not exited yet.
func (p *Proc) Alive() bool { return !p.dead.Load() }

// Exit ends the process with the given result and error and runs the exit
// semantics described in the package doc. Only the first call has an effect.
// If the process was killed, the result is nil and the error is the kill
// cause whatever is passed here.
func (p *Proc) Exit(result any, err error) { p.k.exit(p, result, err) }

// newProc builds a process with its own cancellable context. Contexts are
// not derived from a kernel-wide parent so that spawn and exit take no
// shared lock; Shutdown cancels each process explicitly.
func (k *Kernel) newProc(host string, parent PID, mb Mailbox, attached bool) *Proc {
	if mb == nil {
		mb = NewQueueMailbox(k.limit)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Proc{
		k:        k,
		pid:      PID{Node: k.node, Host: host, Seq: k.seq.Add(1)},
		parent:   parent,
		mb:       mb,
		ctx:      ctx,
		cancel:   cancel,
		attached: attached,
	}
}

// lockPair locks two processes' mutexes in Seq order (one lock if a == b),
// the only order in which two process locks are ever held together.
func lockPair(a, b *Proc) {
	if a == b {
		a.mu.Lock()
		return
	}
	if a.pid.Seq > b.pid.Seq {
		a, b = b, a
	}
	a.mu.Lock()
	b.mu.Lock()
}

func unlockPair(a, b *Proc) {
	a.mu.Unlock()
	if a != b {
		b.mu.Unlock()
	}
}

// addTo adds q to the set *m, allocating it on first use. Needs the owner's mu.
func addTo(m *map[*Proc]struct{}, q *Proc) {
	if *m == nil {
		*m = make(map[*Proc]struct{}, 1)
	}
	(*m)[q] = struct{}{}
}

// forget removes q from one of p's sets, chosen by pick, under p.mu.
func (p *Proc) forget(q *Proc, pick func(*Proc) map[*Proc]struct{}) {
	p.mu.Lock()
	delete(pick(p), q)
	p.mu.Unlock()
}

func linksOf(p *Proc) map[*Proc]struct{}    { return p.links }
func monitorsOf(p *Proc) map[*Proc]struct{} { return p.monitors }
func watchingOf(p *Proc) map[*Proc]struct{} { return p.watching }
