package relay

import (
	"context"
	"strings"
	"testing"

	"luahost/runtime/actor"
)

func TestFrameCache(t *testing.T) {
	c := newFrameCache()
	p1, p2 := []any{"a"}, []any{"a"}
	frame := []byte("event: x\ndata: \"a\"\n\n")
	c.put(&p1[0], "x", frame)
	frame[0] = 'E' // the cache keeps its own copy
	if got := c.get(&p1[0], "x"); string(got) != "event: x\ndata: \"a\"\n\n" {
		t.Fatalf("get = %q", got)
	}
	if c.get(&p1[0], "y") != nil || c.get(&p2[0], "x") != nil {
		t.Fatal("hit for another topic or another payload")
	}
}

// A shared payload reaches every stream with the right event name, and a
// new payload (a changed table) is encoded anew.
func TestSharedPayloadFrames(t *testing.T) {
	e := newEnv(t, nil)
	tp, tmb := e.target(t)
	var writers []*fakeWriter
	var streams []actor.PID
	for range 3 {
		w := newFakeWriter()
		e.serve(context.Background(), w, `{"target_pid":"`+tp.PID().String()+`","heartbeat_interval":"0s"}`)
		writers = append(writers, w)
		streams = append(streams, waitMsg(t, tmb, TopicJoin).From)
	}
	first := []any{map[string]any{"n": 1.0}}
	second := []any{map[string]any{"n": 2.0}}
	for _, payload := range [][]any{first, second} {
		for _, to := range streams {
			e.k.Deliver(to, actor.Message{From: tp.PID(), Topic: TopicMessage, Payload: payload, Shared: true})
		}
	}
	want := "event: sse.message\ndata: {\"n\":1}\n\nevent: sse.message\ndata: {\"n\":2}\n\n"
	for i, w := range writers {
		waitFor(t, "both events", func() bool { return strings.Count(w.String(), "event: ") >= 2 })
		if got := w.String(); got != want {
			t.Fatalf("stream %d got %q", i, got)
		}
	}
}
