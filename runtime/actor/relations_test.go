package actor

import (
	"context"
	"errors"
	"testing"
)

func TestRelationsWithDeadPID(t *testing.T) {
	k, _ := newKernel(t, Options{})
	live := attach(t, k)
	gone, _ := k.Attach("gone", nil)
	gone.Exit(nil, nil)
	unknown := PID{Host: "test", Seq: 999_999}
	otherNode := live.PID()
	otherNode.Node = "elsewhere"

	ops := []struct {
		name string
		call func(a, b PID) error
	}{
		{"Monitor", k.Monitor}, {"Demonitor", k.Demonitor},
		{"Link", k.Link}, {"Unlink", k.Unlink},
	}
	for _, op := range ops {
		for _, dead := range []PID{gone.PID(), unknown, otherNode, {}} {
			if err := op.call(live.PID(), dead); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s(live, %v) = %v, want ErrNotFound", op.name, dead, err)
			}
			if err := op.call(dead, live.PID()); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s(%v, live) = %v, want ErrNotFound", op.name, dead, err)
			}
		}
	}
	for _, err := range []error{k.Terminate(gone.PID()), k.Cancel(live.PID(), gone.PID(), "x")} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	}
}

func TestSpawnWithDeadParent(t *testing.T) {
	k, _ := newKernel(t, Options{})
	gone, _ := k.Attach("gone", nil)
	gone.Exit(nil, nil)
	ran := false
	for _, o := range []SpawnOptions{{Parent: gone.PID(), Link: true}, {Parent: gone.PID(), Monitor: true}} {
		_, err := k.Spawn("child", func(*Proc) (any, error) { ran = true; return nil, nil }, o)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("spawn %+v: %v, want ErrNotFound", o, err)
		}
	}
	if ran || k.Count() != 0 {
		t.Fatalf("child ran=%v, count=%d", ran, k.Count())
	}
}

func TestDemonitorAndUnlink(t *testing.T) {
	k, _ := newKernel(t, Options{})
	w := attach(t, k)
	target := attach(t, k)
	peer := attach(t, k)
	steps := []error{
		k.Monitor(w.PID(), target.PID()), k.Monitor(w.PID(), target.PID()), // twice = once
		k.Demonitor(w.PID(), target.PID()), k.Demonitor(w.PID(), target.PID()),
		k.Link(w.PID(), peer.PID()), k.Unlink(peer.PID(), w.PID()),
		k.Link(w.PID(), w.PID()), // self link: no-op
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	target.Exit(nil, errBoom)
	peer.Exit(nil, errBoom)
	if n := queues(w).Events.Len(); n != 0 || w.Context().Err() != nil {
		t.Fatalf("after demonitor/unlink: %d events, ctx err %v", n, w.Context().Err())
	}
}

func TestCancelEvent(t *testing.T) {
	k, _ := newKernel(t, Options{})
	a, b := attach(t, k), attach(t, k)
	if err := k.Cancel(a.PID(), b.PID(), "please stop"); err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, b)
	if ev.Kind != EventCancel || ev.From != a.PID() || ev.Reason != "please stop" {
		t.Fatalf("event %+v", ev)
	}
	if b.Context().Err() != nil {
		t.Fatal("cancel must be cooperative")
	}
}

func TestTerminateAttached(t *testing.T) {
	k, _ := newKernel(t, Options{})
	obs := attach(t, k)
	p, _ := k.Attach("handler", nil)
	_ = k.Monitor(obs.PID(), p.PID())
	if err := k.Terminate(p.PID()); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(context.Cause(p.Context()), ErrTerminated) {
		t.Fatalf("cause %v", context.Cause(p.Context()))
	}
	if !k.Alive(p.PID()) {
		t.Fatal("an attached process lives until its owner calls Exit")
	}
	p.Exit("result", nil)
	if ev := nextEvent(t, obs); ev.Result != nil || !errors.Is(ev.Err, ErrTerminated) {
		t.Fatalf("exit %v %v", ev.Result, ev.Err)
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{
		EventExit: "pid.exit", EventLinkDown: "pid.link.down", EventCancel: "pid.cancel", 0: "pid.unknown(0)",
	} {
		if got := k.String(); got != want {
			t.Errorf("%d: %q, want %q", int(k), got, want)
		}
	}
}
