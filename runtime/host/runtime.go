package host

import (
	"log/slog"

	"luahost/luamod"
	"luahost/relay"

	"luahost/runtime/actor"
	"luahost/runtime/luaproc"
	"luahost/runtime/script"
)

// runtime is what outlives generations: the actor kernel, the node that
// gives Lua its view of it, and the LState factory (the module list never
// changes between generations).
type runtime struct {
	log     *slog.Logger
	kernel  *actor.Kernel
	node    *luaproc.Node
	factory *script.Factory
	hub     *relay.Hub
}

func newRuntime(log *slog.Logger) *runtime {
	k := actor.New(actor.Options{Logger: log})
	f := newFactory()
	hub := relay.NewHub(k, luamod.EncodeGoJSON, log)
	return &runtime{log: log, kernel: k, node: luaproc.NewNode(k, f, log), factory: f, hub: hub}
}
