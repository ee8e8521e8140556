package actor

import (
	"context"
	"errors"
	"testing"
)

var errBoom = errors.New("boom")

// ending is one way a child process ends.
type ending struct {
	name       string
	run        RunFunc
	terminate  bool // the test terminates the child
	wantResult any
	check      func(error) bool // nil: the exit error must be nil
}

var endings = []ending{
	{name: "normal", run: func(*Proc) (any, error) { return "ok", nil }, wantResult: "ok"},
	{name: "error", run: func(*Proc) (any, error) { return "partial", errBoom }, wantResult: "partial",
		check: func(err error) bool { return errors.Is(err, errBoom) }},
	{name: "panic", run: func(*Proc) (any, error) { panic("kaput") },
		check: func(err error) bool {
			var pe *PanicError
			return errors.As(err, &pe) && pe.Value == "kaput" && len(pe.Stack) > 0
		}},
	{name: "terminate", terminate: true,
		run: func(p *Proc) (any, error) {
			<-p.Context().Done()
			return "ignored", nil // overridden by the kill cause
		},
		check: func(err error) bool { return errors.Is(err, ErrTerminated) }},
}

func checkExitValues(t *testing.T, e ending, ev Event, child PID) {
	t.Helper()
	if ev.From != child {
		t.Errorf("event from %v, want %v", ev.From, child)
	}
	if ev.Result != e.wantResult {
		t.Errorf("result %v, want %v", ev.Result, e.wantResult)
	}
	if e.check == nil && ev.Err != nil || e.check != nil && !e.check(ev.Err) {
		t.Errorf("unexpected exit error %v", ev.Err)
	}
	if ev.At.IsZero() {
		t.Errorf("event has no time")
	}
}

// spawnChild spawns e.run from parent with the given relation, ends it, and
// waits until the kernel has finished its exit (the live counter drops
// back), so "no event" assertions are meaningful.
func spawnChild(t *testing.T, k *Kernel, parent PID, e ending, o SpawnOptions) PID {
	t.Helper()
	before := k.live.Load()
	o.Parent = parent
	child, err := k.Spawn("child", e.run, o)
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	if e.terminate {
		if err := k.Terminate(child); err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatalf("terminate: %v", err)
		}
	}
	waitUntil(t, "child exit to finish", func() bool { return k.live.Load() == before })
	if k.Alive(child) {
		t.Fatalf("child still alive")
	}
	return child
}

func TestExitMatrixMonitor(t *testing.T) {
	for _, e := range endings {
		t.Run(e.name, func(t *testing.T) {
			k, _ := newKernel(t, Options{})
			w := attach(t, k)
			child := spawnChild(t, k, w.PID(), e, SpawnOptions{Monitor: true})
			ev := nextEvent(t, w)
			if ev.Kind != EventExit {
				t.Fatalf("kind %v, want %v", ev.Kind, EventExit)
			}
			checkExitValues(t, e, ev, child)
			if n := queues(w).Events.Len(); n != 0 {
				t.Errorf("%d extra events", n)
			}
			if w.Context().Err() != nil {
				t.Errorf("monitor was cancelled: %v", context.Cause(w.Context()))
			}
		})
	}
}

func TestExitMatrixLink(t *testing.T) {
	for _, trap := range []bool{false, true} {
		for _, e := range endings {
			name := e.name + "/trap=false"
			if trap {
				name = e.name + "/trap=true"
			}
			t.Run(name, func(t *testing.T) { linkCase(t, e, trap) })
		}
	}
}

func linkCase(t *testing.T, e ending, trap bool) {
	k, _ := newKernel(t, Options{})
	obs := attach(t, k)
	w, err := k.Attach("watcher", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.SetTrapLinks(trap)
	if err := k.Monitor(obs.PID(), w.PID()); err != nil {
		t.Fatal(err)
	}
	child := spawnChild(t, k, w.PID(), e, SpawnOptions{Link: true})
	failed := e.check != nil
	if !failed {
		if n := queues(w).Events.Len(); n != 0 {
			t.Fatalf("normal exit delivered %d events to a linked process", n)
		}
	} else {
		ev := nextEvent(t, w)
		if ev.Kind != EventLinkDown {
			t.Fatalf("kind %v, want %v", ev.Kind, EventLinkDown)
		}
		checkExitValues(t, e, ev, child)
	}
	killed := failed && !trap
	if got := w.Context().Err() != nil; got != killed {
		t.Fatalf("watcher cancelled=%v, want %v (cause %v)", got, killed, context.Cause(w.Context()))
	}
	if killed && !errors.Is(context.Cause(w.Context()), ErrLinkedFailed) {
		t.Fatalf("cause %v, want ErrLinkedFailed", context.Cause(w.Context()))
	}
	w.Exit("done", nil)
	ev := nextEvent(t, obs)
	switch {
	case killed && (ev.Result != nil || !errors.Is(ev.Err, ErrLinkedFailed)):
		t.Fatalf("killed watcher exited with %v, %v; want nil, ErrLinkedFailed", ev.Result, ev.Err)
	case !killed && (ev.Result != "done" || ev.Err != nil):
		t.Fatalf("watcher exited with %v, %v; want done, nil", ev.Result, ev.Err)
	}
}

func TestLinkCascade(t *testing.T) {
	k, _ := newKernel(t, Options{})
	obs := attach(t, k)
	// a - b - c linked in a chain; c fails, so b and then a die.
	a, _ := k.Spawn("a", waitCtx, SpawnOptions{})
	b, _ := k.Spawn("b", waitCtx, SpawnOptions{Parent: a, Link: true})
	for _, p := range []PID{a, b} {
		if err := k.Monitor(obs.PID(), p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := k.Spawn("c", endings[1].run, SpawnOptions{Parent: b, Link: true}); err != nil {
		t.Fatal(err)
	}
	got := map[PID]error{}
	for len(got) < 2 {
		ev := nextEvent(t, obs)
		got[ev.From] = ev.Err
	}
	for _, p := range []PID{a, b} {
		if !errors.Is(got[p], ErrLinkedFailed) {
			t.Errorf("%v exited with %v, want ErrLinkedFailed", p, got[p])
		}
	}
}

func TestExitOnceAndRelationsCleared(t *testing.T) {
	k, _ := newKernel(t, Options{})
	obs := attach(t, k)
	p := attach(t, k)
	peer := attach(t, k)
	peer.SetTrapLinks(true)
	for _, err := range []error{k.Monitor(obs.PID(), p.PID()), k.Link(p.PID(), peer.PID()), k.Monitor(p.PID(), peer.PID())} {
		if err != nil {
			t.Fatal(err)
		}
	}
	p.Exit(1, errBoom)
	p.Exit(2, nil) // no-op
	if ev := nextEvent(t, obs); ev.Result != 1 || !errors.Is(ev.Err, errBoom) {
		t.Fatalf("exit event %+v", ev)
	}
	if ev := nextEvent(t, peer); ev.Kind != EventLinkDown {
		t.Fatalf("peer got %v", ev.Kind)
	}
	peer.mu.Lock()
	defer peer.mu.Unlock()
	if len(peer.links) != 0 || len(peer.monitors) != 0 {
		t.Fatalf("peer still holds relations to the dead process: links=%d monitors=%d", len(peer.links), len(peer.monitors))
	}
	if context.Cause(p.Context()) != errExited {
		t.Fatalf("exited process cause %v", context.Cause(p.Context()))
	}
}

func TestSetFixedExit(t *testing.T) {
	k, _ := newKernel(t, Options{})
	watcher := attach(t, k)
	p := attach(t, k)
	p.SetFixedExit("sse relay closed")
	if err := k.Monitor(watcher.PID(), p.PID()); err != nil {
		t.Fatal(err)
	}
	if err := k.Terminate(p.PID()); err != nil {
		t.Fatal(err)
	}
	<-p.Context().Done()
	p.Exit(nil, context.Cause(p.Context()))
	ev := nextEvent(t, watcher)
	if ev.Kind != EventExit || ev.Result != "sse relay closed" || ev.Err != nil {
		t.Fatalf("event %+v", ev)
	}
}
