package host

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"luahost/luamod"
	"luahost/relay"
	"luahost/runtime/luaproc"
	"luahost/runtime/registry"
	"luahost/runtime/route"
	"luahost/runtime/script"
)

// Generation is one fully built, immutable version of the application.
type Generation struct {
	Reg      *registry.Registry
	Programs map[string]*script.Program // by source path
	Units    map[string]*script.Unit    // by entry id
	Pools    map[string]*script.Pool    // by function.lua id
	Handlers map[string]*route.Table    // by http.service id
}

// knownMiddleware lists the middleware names routers may use.
var knownMiddleware = map[string]bool{}

// knownPostMiddleware lists the post-match middleware names.
var knownPostMiddleware = map[string]bool{relayName: true}

// Check loads and validates the registry at path and compiles every
// script, without starting anything. It returns every problem found
// (registry, scripts, routes), sorted by file and line.
func Check(path string) (*Generation, registry.Errors) {
	gen, _, errs := build(path, newRuntime(slog.New(slog.DiscardHandler)))
	return gen, errs
}

// build loads the registry at path and builds a generation on rt. It also
// returns the registry as loaded (partial when it has errors: the watcher
// uses its file list).
func build(path string, rt *runtime) (*Generation, *registry.Registry, registry.Errors) {
	reg, errs := registry.Load(path)
	if len(errs) > 0 {
		return nil, reg, errs
	}
	b := &builder{reg: reg, log: rt.log, factory: rt.factory, node: rt.node, hub: rt.hub}
	gen := b.build()
	if len(b.errs) > 0 {
		sortErrors(b.errs)
		return nil, reg, b.errs
	}
	return gen, reg, nil
}

func newFactory() *script.Factory {
	mods := script.Modules{}
	for name, load := range luamod.Builtins() {
		mods[name] = script.Loader(load)
	}
	return &script.Factory{Modules: mods, Globals: luamod.Globals()}
}

type builder struct {
	reg     *registry.Registry
	log     *slog.Logger
	factory *script.Factory
	node    *luaproc.Node
	hub     *relay.Hub
	errs    registry.Errors
}

func (b *builder) addErr(e *registry.Entry, pos registry.Pos, format string, args ...any) {
	b.errs = append(b.errs, &registry.Error{Pos: pos, ID: e.ID, Msg: fmt.Sprintf(format, args...)})
}

// ProcessUnit implements luaproc.Catalog.
func (g *Generation) ProcessUnit(id string) (*script.Unit, bool) {
	e, ok := g.Reg.ByID[id]
	if !ok || e.Kind != registry.KindProcessLua {
		return nil, false
	}
	u, ok := g.Units[id]
	return u, ok
}

// IsHost implements luaproc.Catalog.
func (g *Generation) IsHost(id string) bool {
	e, ok := g.Reg.ByID[id]
	return ok && e.Kind == registry.KindProcessHost
}

var _ luaproc.Catalog = (*Generation)(nil)

func (b *builder) build() *Generation {
	gen := &Generation{
		Reg:      b.reg,
		Programs: make(map[string]*script.Program),
		Units:    make(map[string]*script.Unit),
		Pools:    make(map[string]*script.Pool),
		Handlers: make(map[string]*route.Table),
	}
	b.compile(gen)
	b.checkModules()
	b.checkUnits(gen)
	b.checkImportCycles()
	b.checkMiddleware()
	b.routes(gen)
	return gen
}

// compile compiles every referenced script once and builds the units.
func (b *builder) compile(gen *Generation) {
	for _, e := range b.reg.Entries {
		if !isScript(e.Kind) {
			continue
		}
		prog, ok := gen.Programs[e.Source]
		if !ok {
			p, err := script.CompileFile(e.Source, registry.DisplayPath(e.Source))
			if err != nil {
				b.scriptErr(e, err)
			}
			prog = p
			gen.Programs[e.Source] = prog
		}
		if prog == nil {
			continue
		}
		gen.Units[e.ID] = &script.Unit{ID: e.ID, Program: prog, Method: e.Handler, Modules: set(e.Modules), Factory: b.factory}
	}
	for id, u := range gen.Units {
		e := b.reg.ByID[id]
		for alias, libID := range e.Imports {
			if lib, ok := gen.Units[libID]; ok {
				if u.Imports == nil {
					u.Imports = make(map[string]*script.Unit)
				}
				u.Imports[alias] = lib
			}
		}
	}
	for _, e := range b.reg.OfKind(registry.KindFunctionLua) {
		if u, ok := gen.Units[e.ID]; ok {
			gen.Pools[e.ID] = script.NewPool(u.Factory, 0)
		}
	}
}

func (b *builder) scriptErr(e *registry.Entry, err error) {
	var ce *script.CompileError
	if errors.As(err, &ce) {
		b.errs = append(b.errs, &registry.Error{Pos: registry.Pos{File: ce.File, Line: ce.Line}, ID: e.ID, Msg: ce.Msg})
		return
	}
	b.addErr(e, e.SourcePos, "%v", err)
}

// checkModules rejects module names that are not built in.
func (b *builder) checkModules() {
	for _, e := range b.reg.Entries {
		for _, m := range e.Modules {
			if _, ok := b.factory.Modules[m]; !ok {
				b.addErr(e, e.Pos, "unknown module %q in modules: (built-in modules: %s)", m, builtinNames(b.factory))
			}
		}
	}
}

func builtinNames(f *script.Factory) string {
	names := make([]string, 0, len(f.Modules))
	for n := range f.Modules {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func isScript(k registry.Kind) bool {
	return k == registry.KindFunctionLua || k == registry.KindProcessLua || k == registry.KindLibraryLua
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

func sortErrors(errs registry.Errors) {
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		return a.Pos.Line < b.Pos.Line
	})
}
