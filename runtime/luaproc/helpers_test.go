package luaproc

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"luahost/luamod"
	"luahost/runtime/actor"
	"luahost/runtime/script"
)

// testCatalog serves compiled process units by id.
type testCatalog map[string]*script.Unit

func (c testCatalog) ProcessUnit(id string) (*script.Unit, bool) { u, ok := c[id]; return u, ok }
func (c testCatalog) IsHost(id string) bool                      { return id == "app:processes" }

func newFactory() *script.Factory {
	mods := script.Modules{}
	for name, load := range luamod.Builtins() {
		mods[name] = script.Loader(load)
	}
	return &script.Factory{Modules: mods, Globals: luamod.Globals()}
}

// newTestNode builds a node with the given process scripts (id -> source).
func newTestNode(tb testing.TB, scripts map[string]string) *Node {
	tb.Helper()
	log := slog.New(slog.DiscardHandler)
	k := actor.New(actor.Options{Logger: log})
	f := newFactory()
	n := NewNode(k, f, log)
	cat := testCatalog{}
	for id, src := range scripts {
		prog, err := script.Compile([]byte(src), id+".lua", id+".lua")
		if err != nil {
			tb.Fatal(err)
		}
		cat[id] = &script.Unit{ID: id, Program: prog, Method: "main", Modules: map[string]bool{"time": true}, Factory: f}
	}
	n.SetCatalog(cat)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = k.Shutdown(ctx)
	})
	return n
}

// attach returns a Go-side process with a queue mailbox.
func attach(tb testing.TB, n *Node) (*actor.Proc, *actor.QueueMailbox) {
	tb.Helper()
	mb := actor.NewQueueMailbox(0)
	p, err := n.K.Attach("app:test", mb)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Exit(nil, nil) })
	return p, mb
}

// recv waits for one message with a deadline.
func recv(tb testing.TB, mb *actor.QueueMailbox, d time.Duration) actor.Message {
	tb.Helper()
	deadline := time.After(d)
	for {
		if m, ok := mb.Messages.TryPop(); ok {
			return m
		}
		select {
		case <-mb.Messages.Notify():
		case <-deadline:
			tb.Fatalf("no message within %v", d)
		}
	}
}

func getenv(k string) string { return os.Getenv(k) }
