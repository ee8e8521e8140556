package luaproc

import (
	"context"

	"luahost/luamod"
)

// Lazy is the process of one HTTP handler call. The kernel entry is created
// on first use and ended by Close when the handler returns. It is used only
// by the goroutine serving the request.
type Lazy struct {
	// OnKill, if set, is called with the cause when the process is killed
	// (terminate, failed link, shutdown) so the handler's context can end.
	OnKill func(cause error)

	n    *Node
	id   string // function entry id; also the PID's host
	self *self
	err  error
	trap bool
	stop func() bool // unregisters the OnKill hook
}

var _ luamod.Self = (*Lazy)(nil)

// NewLazy prepares (but does not start) a handler-call process.
func (n *Node) NewLazy(functionID string) *Lazy {
	return &Lazy{n: n, id: functionID}
}

// get attaches on first use. If attaching fails (host shutting down) the
// call sees an empty PID and its sends carry no sender.
func (z *Lazy) get() *self {
	if z.self != nil || z.err != nil {
		return z.self
	}
	mb := z.n.K.NewMailbox()
	p, err := z.n.K.Attach(z.id, mb)
	if err != nil {
		z.err = err
		return nil
	}
	p.SetTrapLinks(z.trap)
	z.self = newSelf(p, z.id, mb)
	if z.OnKill != nil {
		ctx, kill := p.Context(), z.OnKill
		z.stop = context.AfterFunc(ctx, func() { kill(context.Cause(ctx)) })
	}
	return z.self
}

// Close ends the process if it was started: normally, or with err when the
// handler failed (monitors see the error; links get LINK_DOWN).
func (z *Lazy) Close(err error) {
	if z.stop != nil {
		z.stop()
	}
	if z.self != nil {
		z.self.p.Exit(nil, err)
	}
}

func (z *Lazy) PID() string {
	if s := z.get(); s != nil {
		return s.pid
	}
	return ""
}

func (z *Lazy) ID() string        { return z.id }
func (z *Lazy) Namespace() string { return namespaceOf(z.id) }

func (z *Lazy) Inbox() luamod.Source {
	if s := z.get(); s != nil {
		return s.inbox
	}
	return emptySource{}
}

func (z *Lazy) Events() luamod.Source {
	if s := z.get(); s != nil {
		return s.evs
	}
	return emptySource{}
}

func (z *Lazy) TrapLinks() bool {
	if z.self != nil {
		return z.self.TrapLinks()
	}
	return z.trap
}

func (z *Lazy) SetTrapLinks(v bool) {
	z.trap = v
	if z.self != nil {
		z.self.SetTrapLinks(v)
	}
}

// emptySource never yields (used when attaching failed).
type emptySource struct{}

func (emptySource) TryPop() (any, bool)     { return nil, false }
func (emptySource) Notify() <-chan struct{} { return nil }
