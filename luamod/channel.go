package luamod

import (
	"reflect"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// backend is where a channel's items live. Items are `any`: Lua values for
// channels that Lua code sends on, plain Go data for channels fed from
// other goroutines (inbox, events, time.after), converted to Lua by the
// receiving goroutine.
type backend interface {
	tryRecv() (item any, ok, closed bool)
	trySend(item any) (ok, closed bool)
	// recvWait / sendWait return the channel a blocked receiver / sender
	// waits on: a 1-buffered signal channel (a signal is never lost and a
	// signaller never blocks), or a timer's channel. The zero Value never
	// fires.
	recvWait() reflect.Value
	sendWait() reflect.Value
	// woke hands back a value a waiter received from recvWait (only timer
	// channels carry values; signal values are dropped).
	woke(v reflect.Value)
	close() bool // false if already closed
}

// Channel is the Lua channel object. The backend may be shared with other
// goroutines; the Lua side is used by its owner LState only.
type Channel struct {
	b    backend
	conv func(L *lua.LState, item any) lua.LValue // nil: item is a lua.LValue
}

func (c *Channel) toLua(L *lua.LState, item any) lua.LValue {
	if c.conv != nil {
		return c.conv(L, item)
	}
	if v, ok := item.(lua.LValue); ok {
		return v
	}
	return ToLua(L, item)
}

// buffer is a mutex-guarded FIFO backend with a capacity. A send on a full
// buffer succeeds while receivers are blocked waiting (rendezvous), so an
// unbuffered channel works across goroutines.
type buffer struct {
	mu      sync.Mutex
	items   []any
	cap     int
	waiting int // receivers blocked in wait
	closed  bool
	rr, sr  chan struct{}
}

func newBuffer(capacity int) *buffer {
	return &buffer{cap: capacity, rr: make(chan struct{}, 1), sr: make(chan struct{}, 1)}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (b *buffer) tryRecv() (any, bool, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.items) == 0 {
		return nil, false, b.closed
	}
	item := b.items[0]
	b.items[0] = nil
	b.items = b.items[1:]
	signal(b.sr)
	return item, true, false
}

func (b *buffer) trySend(item any) (bool, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false, true
	}
	if len(b.items) >= b.cap+b.waiting {
		return false, false
	}
	b.items = append(b.items, item)
	signal(b.rr)
	return true, false
}

func (b *buffer) recvWait() reflect.Value { return reflect.ValueOf((<-chan struct{})(b.rr)) }
func (b *buffer) sendWait() reflect.Value { return reflect.ValueOf((<-chan struct{})(b.sr)) }
func (b *buffer) woke(reflect.Value)      {}

func (b *buffer) close() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.closed = true
	signal(b.rr)
	signal(b.sr)
	return true
}

// addWaiter marks a receiver as blocked (enables rendezvous sends).
func (b *buffer) addWaiter(d int) {
	b.mu.Lock()
	b.waiting += d
	b.mu.Unlock()
	if d > 0 {
		signal(b.sr)
	}
}

// Source is a channel fed by another goroutine: the process inbox and
// events queue implement it. TryPop never blocks; Notify is signalled when
// an item may be available.
type Source interface {
	TryPop() (any, bool)
	Notify() <-chan struct{}
}

// sourceBackend adapts a Source; Lua cannot send on or close it.
type sourceBackend struct{ src Source }

func (s sourceBackend) tryRecv() (any, bool, bool) {
	item, ok := s.src.TryPop()
	return item, ok, false
}
func (s sourceBackend) trySend(any) (bool, bool) { return false, true }
func (s sourceBackend) recvWait() reflect.Value  { return reflect.ValueOf(s.src.Notify()) }
func (s sourceBackend) sendWait() reflect.Value  { return reflect.Value{} }
func (s sourceBackend) woke(reflect.Value)       {}
func (s sourceBackend) close() bool              { return false }

// NewSourceChannel wraps a Source; conv turns each item into a Lua value
// on the receiving goroutine.
func NewSourceChannel(src Source, conv func(L *lua.LState, item any) lua.LValue) *Channel {
	return &Channel{b: sourceBackend{src}, conv: conv}
}

// NewBufferedChannel makes a channel Go code can feed with Offer.
func NewBufferedChannel(capacity int) *Channel {
	return &Channel{b: newBuffer(capacity)}
}

// Offer sends item without blocking (from any goroutine); false if full or
// closed.
func (c *Channel) Offer(item any) bool {
	ok, _ := c.b.trySend(item)
	return ok
}

// timerBackend is time.after's channel: it receives one value from a
// time.Timer. It holds no callback, so an abandoned, unfired timer is
// garbage as soon as Lua drops the channel (Go 1.23+ timers), and a loop of
// select-with-timeout accumulates nothing.
type timerBackend struct {
	mu      sync.Mutex
	t       *time.Timer
	pending *time.Time // received by a waiter, not yet delivered
	done    bool       // the one value was delivered
}

func (tb *timerBackend) tryRecv() (any, bool, bool) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.pending != nil {
		v := *tb.pending
		tb.pending, tb.done = nil, true
		return &Time{T: v}, true, false
	}
	if tb.done {
		return nil, false, false
	}
	select {
	case v := <-tb.t.C:
		tb.done = true
		return &Time{T: v}, true, false
	default:
		return nil, false, false
	}
}

func (tb *timerBackend) trySend(any) (bool, bool) { return false, true }
func (tb *timerBackend) recvWait() reflect.Value {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.done || tb.pending != nil {
		return reflect.Value{}
	}
	return reflect.ValueOf(tb.t.C)
}
func (tb *timerBackend) sendWait() reflect.Value { return reflect.Value{} }
func (tb *timerBackend) close() bool             { return false }

func (tb *timerBackend) woke(v reflect.Value) {
	if t, ok := v.Interface().(time.Time); ok {
		tb.mu.Lock()
		tb.pending = &t
		tb.mu.Unlock()
	}
}
