package relay

import (
	"context"
	"strings"
	"testing"

	"luahost/luamod"
	"luahost/runtime/actor"
)

// A target whose mailbox holds a quarter of the kernel's limit gets no
// sse.heartbeat messages (so heartbeats can never overflow a busy target);
// the client still gets ": ping", and heartbeats resume once the target
// catches up.
func TestHeartbeatSkippedWhileTargetBacklogged(t *testing.T) {
	k := actor.New(actor.Options{Logger: discardLog(), MailboxLimit: 40})
	hub := NewHub(k, luamod.EncodeGoJSON, discardLog())
	mw, err := NewMiddleware(hub, "app:gateway", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{k: k, hub: hub, mw: mw}
	mb := k.NewMailbox()
	tp, err := k.Attach("app:processes", mb)
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Exit(nil, nil)
	w := newFakeWriter()
	e.serve(context.Background(), w, `{"target_pid":"`+tp.PID().String()+`","heartbeat_interval":"20ms"}`)
	stream := waitMsg(t, mb, TopicJoin).From
	waitMsg(t, mb, TopicHeartbeat) // heartbeats flow while the mailbox is short

	for mb.Len() < 10 { // a backlog of limit/4
		k.Send(stream, tp.PID(), "busy", nil)
	}
	// A heartbeat decided before the backlog was reached lands before the
	// next ping is visible; count the queue after that.
	pings := strings.Count(w.String(), ": ping")
	waitFor(t, "a ping", func() bool { return strings.Count(w.String(), ": ping") > pings })
	before := mb.Len()
	waitFor(t, "three more pings", func() bool { return strings.Count(w.String(), ": ping") >= pings+4 })
	for range before {
		mb.Messages.TryPop()
	}
	if m, ok := mb.Messages.TryPop(); ok {
		t.Fatalf("%s queued while the target was backlogged", m.Topic)
	}
	waitMsg(t, mb, TopicHeartbeat) // the target caught up
	if !k.Alive(tp.PID()) {
		t.Fatal("target terminated")
	}
}
