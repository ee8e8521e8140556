package actor

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMailboxLimit is the default bound of a QueueMailbox.
const DefaultMailboxLimit = 100_000

// Options configure a Kernel.
type Options struct {
	// Node, if set, appears in every PID as {NODE@HOST|0x...}; it must pass
	// ValidName.
	Node string
	// MailboxLimit bounds each default mailbox queue: 0 means
	// DefaultMailboxLimit, a negative value means unbounded.
	MailboxLimit int
	// Logger receives panics and overflow warnings; nil means slog.Default().
	Logger *slog.Logger
}

// Kernel owns every process of one host. All methods are safe for
// concurrent use.
type Kernel struct {
	node  string
	limit int
	log   *slog.Logger
	seq   atomic.Uint64 // last issued Seq; PIDs are never reused
	table procTable
	names nameTable

	live     atomic.Int64 // spawned goroutines running + attached processes not exited
	closing  atomic.Bool  // set by Shutdown; no new processes afterwards
	idleOnce sync.Once
	idle     chan struct{} // closed once closing is set and live reaches zero
}

// New returns a kernel. It panics if opts.Node is set but not a valid name
// (a programming error: check it with ValidName first).
func New(opts Options) *Kernel {
	if opts.Node != "" {
		if err := ValidName(opts.Node); err != nil {
			panic(fmt.Sprintf("actor.New: node %q: %v", opts.Node, err))
		}
	}
	k := &Kernel{node: opts.Node, limit: opts.MailboxLimit, log: opts.Logger, idle: make(chan struct{})}
	if k.limit == 0 {
		k.limit = DefaultMailboxLimit
	}
	if k.log == nil {
		k.log = slog.Default()
	}
	return k
}

// Count returns the number of live processes.
func (k *Kernel) Count() int { return int(k.table.count.Load()) }

// Alive reports whether pid names a live process of this kernel.
func (k *Kernel) Alive(pid PID) bool { return k.table.get(pid) != nil }

// Send delivers a message to `to` without ever blocking. A dead or unknown
// PID drops it silently. If the receiver's mailbox overflows, the message is
// dropped and the receiver is terminated with ErrMailboxOverflow. The result
// reports whether the message was queued; callers may ignore it.
// payload is handed over as is: the caller must not touch it afterwards.
func (k *Kernel) Send(from, to PID, topic string, payload []any) bool {
	return k.Deliver(to, Message{From: from, Topic: topic, Payload: payload})
}

// Deliver is Send with the message built by the caller.
func (k *Kernel) Deliver(to PID, m Message) bool {
	p := k.table.get(to)
	if p == nil {
		return false
	}
	if !p.mb.PushMessage(m) {
		k.overflow(p)
		return false
	}
	return true
}

// Limit is the mailbox limit: a process with this many queued messages is
// terminated at the next one (ErrMailboxOverflow).
func (k *Kernel) Limit() int { return k.limit }

// Backlog returns how many messages wait in pid's mailbox (0 if it is not
// alive or its mailbox cannot tell). Senders of optional messages use it
// to stay away from the overflow limit.
func (k *Kernel) Backlog(pid PID) int {
	p := k.table.get(pid)
	if p == nil {
		return 0
	}
	if l, ok := p.mb.(interface{ Len() int }); ok {
		return l.Len()
	}
	return 0
}

// Cancel delivers EventCancel{From: from, Reason: reason} to `to`; it does
// not stop the process (cancellation is cooperative). ErrNotFound if `to` is
// not alive.
func (k *Kernel) Cancel(from, to PID, reason string) error {
	p := k.table.get(to)
	if p == nil {
		return notFound(to)
	}
	k.deliver(p, Event{Kind: EventCancel, From: from, At: time.Now(), Reason: reason})
	return nil
}

// Terminate kills pid: its context is cancelled with ErrTerminated and its
// exit error will be ErrTerminated whatever it returns. The exit itself
// happens when its run function returns (or its owner calls Exit).
// ErrNotFound if pid is not alive.
func (k *Kernel) Terminate(pid PID) error {
	p := k.table.get(pid)
	if p == nil {
		return notFound(pid)
	}
	k.kill(p, ErrTerminated)
	return nil
}

// deliver pushes an event to p unless p has exited; overflow kills p.
func (k *Kernel) deliver(p *Proc, e Event) {
	if p.dead.Load() {
		return
	}
	if !p.mb.PushEvent(e) {
		k.overflow(p)
	}
}

// overflow kills p for a refused delivery and logs it once.
func (k *Kernel) overflow(p *Proc) {
	if k.kill(p, ErrMailboxOverflow) {
		k.log.Warn("mailbox overflow: terminating process", "pid", p.pid.String(), "limit", k.limit)
	}
}

// kill records cause as p's exit error (first kill wins) and cancels p's
// context with it. It reports whether this call was the one that killed p.
func (k *Kernel) kill(p *Proc, cause error) bool {
	p.mu.Lock()
	if p.dead.Load() || p.killErr != nil {
		p.mu.Unlock()
		return false
	}
	p.killErr = cause
	p.mu.Unlock()
	p.cancel(cause)
	return true
}

func notFound(pid PID) error { return fmt.Errorf("pid %s: %w", pid, ErrNotFound) }

// NewMailbox returns a default QueueMailbox bounded by the kernel's
// mailbox limit (Options.MailboxLimit).
func (k *Kernel) NewMailbox() *QueueMailbox { return NewQueueMailbox(k.limit) }
