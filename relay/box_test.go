package relay

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"luahost/runtime/actor"
	"luahost/sse"
)

func TestApproxSize(t *testing.T) {
	cases := []struct {
		v    any
		want int
	}{
		{nil, 5},
		{true, 5},
		{false, 5},
		{1.5, 8},
		{int64(7), 8},
		{"", 2},
		{"abc", 5},
		{[]any{}, 2},
		{[]any{"a", 1.0}, 2 + (3 + 1) + (8 + 1)},
		{map[string]any{}, 2},
		{map[string]any{"k": "v"}, 2 + 1 + 4 + 3},
		{map[string]any{"a": []any{nil}}, 2 + 1 + 4 + (2 + 5 + 1)},
	}
	for _, tc := range cases {
		if got := approxSize(tc.v, 0); got != tc.want {
			t.Errorf("approxSize(%#v) = %d, want %d", tc.v, got, tc.want)
		}
	}
	// The estimate is never below the real size of strings, which
	// dominate large payloads.
	big := strings.Repeat("x", 1<<16)
	if got := approxSize([]any{big, big}, 0); got < 2<<16 {
		t.Errorf("two 64 KiB strings estimated at %d", got)
	}
	// Deep nesting stops counting instead of recursing without bound.
	var deep any = "leaf"
	for i := 0; i < 1000; i++ {
		deep = []any{deep}
	}
	if got := approxSize(deep, 0); got <= 0 || got > 1000*3 {
		t.Errorf("deep nesting estimated at %d", got)
	}
}

func msg(topic string, payload ...any) actor.Message {
	return actor.Message{Topic: topic, Payload: payload}
}

func TestBoxOverflowByCount(t *testing.T) {
	overflows := 0
	b := newBox(3, 1<<20, func() { overflows++ })
	for i := 0; i < 3; i++ {
		if !b.PushMessage(msg(TopicMessage, float64(i))) {
			t.Fatal("push refused")
		}
	}
	// sse.join / sse.leave / sse.heartbeat are dropped, never counted.
	for _, topic := range []string{TopicJoin, TopicLeave, TopicHeartbeat} {
		b.PushMessage(msg(topic, "x"))
	}
	// Events are never limited.
	for i := 0; i < 10; i++ {
		b.PushEvent(actor.Event{Kind: actor.EventCancel})
	}
	if overflows != 0 {
		t.Fatal("overflow below the limit")
	}
	msgs, events, over := b.take(nil, nil)
	if len(msgs) != 3 || len(events) != 10 || over {
		t.Fatalf("take: %d msgs, %d events, overflow %v", len(msgs), len(events), over)
	}
	// take emptied the box: the limit applies to what is queued.
	for i := 0; i < 3; i++ {
		b.PushMessage(msg(TopicMessage, 1.0))
	}
	if overflows != 0 {
		t.Fatal("overflow after take")
	}
	// The 4th queued message overflows: onOverflow runs once, the
	// message and everything after it is dropped, push never fails.
	for i := 0; i < 5; i++ {
		if !b.PushMessage(msg(TopicMessage, 1.0)) {
			t.Fatal("push refused: a sender must never see a failure")
		}
	}
	if overflows != 1 {
		t.Fatalf("onOverflow ran %d times", overflows)
	}
	select {
	case <-b.notify:
	default:
		t.Fatal("overflow did not wake the stream")
	}
	msgs, _, over = b.take(msgs[:0], events[:0])
	if !over || len(msgs) != 3 {
		t.Fatalf("take after overflow: %d msgs, overflow %v", len(msgs), over)
	}
	b.PushMessage(msg(TopicMessage, 1.0))
	if msgs, _, over = b.take(msgs[:0], nil); len(msgs) != 0 || !over {
		t.Fatalf("an overflowed box must stay overflowed and drop: %d msgs, overflow %v", len(msgs), over)
	}
}

func TestBoxOverflowByBytes(t *testing.T) {
	overflows := 0
	b := newBox(1000, 100, func() { overflows++ })
	b.PushMessage(msg(TopicMessage, strings.Repeat("x", 40))) // ~53 bytes
	if overflows != 0 {
		t.Fatal("early overflow")
	}
	b.PushMessage(msg(TopicMessage, strings.Repeat("x", 40)))
	if overflows != 1 {
		t.Fatalf("onOverflow ran %d times", overflows)
	}
	msgs, _, over := b.take(nil, nil)
	if len(msgs) != 1 || !over {
		t.Fatalf("%d msgs, overflow %v", len(msgs), over)
	}
	// One message bigger than the limit overflows an empty box.
	b2 := newBox(1000, 100, func() { overflows++ })
	b2.PushMessage(msg(TopicMessage, strings.Repeat("x", 200)))
	if _, _, over := b2.take(nil, nil); !over {
		t.Fatal("an oversized message must overflow")
	}
}

func TestBoxClosed(t *testing.T) {
	b := newBox(1, 1, func() { t.Fatal("overflow on a closed box") })
	b.Close()
	for i := 0; i < 3; i++ {
		if !b.PushMessage(msg(TopicMessage, "big payload")) {
			t.Fatal("a closed box must drop silently")
		}
		b.PushEvent(actor.Event{Kind: actor.EventExit})
	}
	if msgs, events, over := b.take(nil, nil); len(msgs) != 0 || len(events) != 0 || over {
		t.Fatalf("closed box kept %d msgs, %d events, overflow %v", len(msgs), len(events), over)
	}
}

// A burst's backing array is released once taken (idle streams hold no
// large buffers), and take never aliases the box's storage.
func TestBoxTakeReleasesBurst(t *testing.T) {
	b := newBox(1000, 1<<20, func() {})
	for i := 0; i < 500; i++ {
		b.PushMessage(msg(TopicMessage, 1.0))
	}
	msgs, _, _ := b.take(nil, nil)
	if len(msgs) != 500 || b.msgs != nil {
		t.Fatalf("took %d; box kept cap %d", len(msgs), cap(b.msgs))
	}
	b.PushMessage(msg("next", 2.0))
	if msgs[0].Topic != TopicMessage {
		t.Fatal("taken messages were overwritten by a later push")
	}
}

func TestReservedTopic(t *testing.T) {
	for topic, want := range map[string]bool{
		"sse.message": true, "sse.join": true, "sse.": true, "sse.x.y": true,
		"sse": false, "ssex": false, "SSE.message": false, "": false, "a.sse.b": false,
	} {
		if reservedTopic(topic) != want {
			t.Errorf("reservedTopic(%q) != %v", topic, want)
		}
	}
	if !sse.ValidField("a.b") || sse.ValidField("a\nb") {
		t.Fatal("sse.ValidField")
	}
}

// onOverflow runs under the box lock, so once Close has returned (the
// stream exited) no late onOverflow can touch the connection, which may
// already serve its next request.
func TestBoxCloseWaitsForOverflowCallback(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	b := newBox(1, 1<<20, func() {
		close(entered)
		<-release
		finished.Store(true)
	})
	b.PushMessage(msg(TopicMessage, 1.0))
	go b.PushMessage(msg(TopicMessage, 2.0)) // overflows
	<-entered
	closed := make(chan bool)
	go func() {
		b.Close()
		closed <- finished.Load()
	}()
	time.Sleep(20 * time.Millisecond) // give a wrong Close the time to return early
	close(release)
	if !<-closed {
		t.Fatal("Close returned while onOverflow was still running")
	}
}
