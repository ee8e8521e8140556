package relay

import (
	"strings"
	"sync"

	"luahost/runtime/actor"
)

// Queue limits of SPEC 11.3 (post_options sserelay.max_queue and
// sserelay.max_queue_bytes override them).
const (
	DefaultMaxQueue      = 1024
	DefaultMaxQueueBytes = 1 << 20
)

// box is a stream's mailbox. Senders push on their own goroutines; the
// stream goroutine takes everything at once with take. It never blocks a
// sender: past its limits it flags the stream as a slow consumer, calls
// onOverflow once (which breaks a blocked write) and drops what follows.
type box struct {
	mu       sync.Mutex
	msgs     []actor.Message
	events   []actor.Event
	bytes    int
	overflow bool
	closed   bool

	flags signal // raised by timers, the poller, shutdown, kills

	maxCount, maxBytes int
	onOverflow         func()
	notify             chan struct{} // 1-buffered: a pending wake-up is never lost, a pusher never blocks
	onWake             func()        // event-driven streams: schedule a step (set before the stream is reachable)
}

// signal is a set of non-message events for a stream.
type signal uint32

const (
	sigHeartbeat signal = 1 << iota
	sigIdle
	sigHard
	sigShutdown
	sigKilled
	sigGone         // the client disconnected
	sigWritable     // the full socket drained
	sigWriteTimeout // a blocked write made no progress for the write timeout
)

// raise records s and wakes the stream.
func (b *box) raise(s signal) {
	b.mu.Lock()
	b.flags |= s
	b.mu.Unlock()
	b.wake()
}

// overflowed reports whether the queue overflowed.
func (b *box) overflowed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.overflow
}

// pending reports whether anything waits to be handled; queued messages
// count only if withMsgs.
func (b *box) pending(withMsgs bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return (withMsgs && len(b.msgs) > 0) || len(b.events) > 0 || b.flags != 0 || b.overflow
}

var _ actor.Mailbox = (*box)(nil)

func newBox(maxCount, maxBytes int, onOverflow func()) *box {
	return &box{maxCount: maxCount, maxBytes: maxBytes, onOverflow: onOverflow, notify: make(chan struct{}, 1)}
}

func (b *box) wake() {
	if b.onWake != nil {
		b.onWake()
		return
	}
	select {
	case b.notify <- struct{}{}:
	default:
	}
}

// PushMessage queues m. Topics the stream never acts on (sse.join,
// sse.leave, sse.heartbeat) are dropped here.
func (b *box) PushMessage(m actor.Message) bool {
	switch m.Topic {
	case TopicJoin, TopicLeave, TopicHeartbeat:
		return true
	}
	size := len(m.Topic) + approxSize(m.Payload, 0)
	b.mu.Lock()
	if b.closed || b.overflow {
		b.mu.Unlock()
		return true
	}
	if len(b.msgs)+1 > b.maxCount || b.bytes+size > b.maxBytes {
		b.overflow = true
		// Under the lock: Close (at the stream's exit) waits for it, so
		// a late call can never set a past write deadline on the
		// connection after it moved on to its next request.
		b.onOverflow()
		b.mu.Unlock()
		b.wake()
		return true
	}
	b.msgs = append(b.msgs, m)
	b.bytes += size
	b.mu.Unlock()
	b.wake()
	return true
}

// PushEvent queues a kernel event (EXIT of the target, CANCEL).
func (b *box) PushEvent(ev actor.Event) bool {
	b.mu.Lock()
	if !b.closed {
		b.events = append(b.events, ev)
	}
	b.mu.Unlock()
	b.wake()
	return true
}

// take moves everything queued into the caller's slices (reused between
// calls) and reports whether the box overflowed.
func (b *box) take(msgs []actor.Message, events []actor.Event) ([]actor.Message, []actor.Event, bool) {
	msgs, events, _, overflow := b.takeAll(msgs, events, true)
	return msgs, events, overflow
}

// takeAll is take plus the raised signals (cleared); messages stay queued
// unless withMsgs.
func (b *box) takeAll(msgs []actor.Message, events []actor.Event, withMsgs bool) ([]actor.Message, []actor.Event, signal, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	flags := b.flags
	b.flags = 0
	events = append(events, b.events...)
	clear(b.events)
	b.events = b.events[:0]
	if withMsgs {
		msgs = append(msgs, b.msgs...)
		clear(b.msgs)
		b.msgs, b.bytes = b.msgs[:0], 0
		if cap(b.msgs) > 64 { // release a burst's backing array while idle
			b.msgs = nil
		}
	}
	return msgs, events, flags, b.overflow
}

// Close drops everything and refuses later deliveries (called by the
// kernel when the stream process exits).
func (b *box) Close() {
	b.mu.Lock()
	b.closed = true
	b.msgs, b.events = nil, nil
	b.mu.Unlock()
}

// approxSize estimates the encoded size of plain data without encoding it.
func approxSize(v any, depth int) int {
	if depth > 64 {
		return 0
	}
	switch x := v.(type) {
	case string:
		return len(x) + 2
	case []any:
		n := 2
		for _, e := range x {
			n += approxSize(e, depth+1) + 1
		}
		return n
	case map[string]any:
		n := 2
		for k, e := range x {
			n += len(k) + 4 + approxSize(e, depth+1)
		}
		return n
	case nil, bool:
		return 5
	}
	return 8
}

// reservedTopic reports whether topic is one of the relay's own (sse.*).
func reservedTopic(topic string) bool {
	return strings.HasPrefix(topic, "sse.")
}
