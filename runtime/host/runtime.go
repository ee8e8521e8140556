package host

import (
	"log/slog"

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
}

func newRuntime(log *slog.Logger) *runtime {
	k := actor.New(actor.Options{Logger: log})
	f := newFactory()
	return &runtime{log: log, kernel: k, node: luaproc.NewNode(k, f, log), factory: f}
}
