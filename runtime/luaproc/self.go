package luaproc

import (
	"luahost/luamod"
	"luahost/runtime/actor"
)

// self is a live process as luamod sees it.
type self struct {
	p     *actor.Proc
	pid   string // p.PID().String(), cached
	id    string // registry entry id
	ns    string
	inbox inboxSource
	evs   eventSource
}

var _ luamod.Self = (*self)(nil)

func newSelf(p *actor.Proc, id string, mb *actor.QueueMailbox) *self {
	return &self{p: p, pid: p.PID().String(), id: id, ns: namespaceOf(id),
		inbox: inboxSource{mb.Messages}, evs: eventSource{mb.Events}}
}

func (s *self) PID() string           { return s.pid }
func (s *self) ID() string            { return s.id }
func (s *self) Namespace() string     { return s.ns }
func (s *self) Inbox() luamod.Source  { return s.inbox }
func (s *self) Events() luamod.Source { return s.evs }
func (s *self) TrapLinks() bool       { return s.p.TrapLinks() }
func (s *self) SetTrapLinks(v bool)   { s.p.SetTrapLinks(v) }

// inboxSource converts kernel messages to luamod messages as they are taken.
type inboxSource struct{ q *actor.Queue[actor.Message] }

func (s inboxSource) TryPop() (any, bool) {
	m, ok := s.q.TryPop()
	if !ok {
		return nil, false
	}
	from := ""
	if !m.From.IsZero() {
		from = m.From.String()
	}
	return luamod.Message{Topic: m.Topic, From: from, Payload: m.Payload}, true
}

func (s inboxSource) Notify() <-chan struct{} { return s.q.Notify() }

// eventSource converts kernel events to luamod events.
type eventSource struct{ q *actor.Queue[actor.Event] }

func (s eventSource) TryPop() (any, bool) {
	ev, ok := s.q.TryPop()
	if !ok {
		return nil, false
	}
	out := luamod.Event{Kind: ev.Kind.String(), From: ev.From.String(), At: ev.At, Value: ev.Result, Reason: ev.Reason}
	if ev.Err != nil {
		out.Err = ev.Err.Error()
	}
	return out, true
}

func (s eventSource) Notify() <-chan struct{} { return s.q.Notify() }

func namespaceOf(id string) string {
	for i := 0; i < len(id); i++ {
		if id[i] == ':' {
			return id[:i]
		}
	}
	return ""
}
