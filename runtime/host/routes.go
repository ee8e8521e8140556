package host

import (
	"luahost/runtime/endpoint"
	"luahost/runtime/registry"
	"luahost/runtime/route"
)

// routes builds one route table per http.service.
func (b *builder) routes(gen *Generation) {
	for _, svc := range b.reg.OfKind(registry.KindHTTPService) {
		gen.Handlers[svc.ID] = route.NewTable()
	}
	posts := map[string]endpoint.Post{}
	for _, r := range b.reg.OfKind(registry.KindHTTPRouter) {
		posts[r.ID] = b.routerPost(r)
	}
	for _, ep := range b.reg.OfKind(registry.KindHTTPEndpoint) {
		router := b.reg.ByID[ep.Router]
		table := gen.Handlers[router.Server]
		unit, pool := gen.Units[ep.Func], gen.Pools[ep.Func]
		if table == nil || unit == nil || pool == nil {
			continue // already reported (compile error or bad reference)
		}
		h := &endpoint.Handler{Unit: unit, Pool: pool, Node: b.node, Post: posts[router.ID], Log: b.log.With("endpoint", ep.ID)}
		params, err := table.Add(ep.ID, ep.Method, router.Prefix, ep.Path, h)
		if err != nil {
			b.addErr(ep, ep.Pos, "%v", err)
			continue
		}
		h.Params = params
	}
}

// checkMiddleware rejects middleware names the host does not provide.
func (b *builder) checkMiddleware() {
	for _, r := range b.reg.OfKind(registry.KindHTTPRouter) {
		for _, m := range r.Middleware {
			if !knownMiddleware[m] {
				b.addErr(r, r.Pos, "unknown middleware %q", m)
			}
		}
		for _, m := range r.PostMiddleware {
			if !knownPostMiddleware[m] {
				b.addErr(r, r.Pos, "unknown post_middleware %q", m)
			}
		}
	}
}

// checkImportCycles reports a library that imports itself, directly or not.
func (b *builder) checkImportCycles() {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case visiting:
			return true
		case done:
			return false
		}
		state[id] = visiting
		e := b.reg.ByID[id]
		cyc := false
		for _, lib := range e.Imports {
			if _, ok := b.reg.ByID[lib]; ok && visit(lib) {
				cyc = true
			}
		}
		state[id] = done
		return cyc
	}
	for _, e := range b.reg.OfKind(registry.KindLibraryLua) {
		if state[e.ID] == 0 && visit(e.ID) {
			b.addErr(e, e.Pos, "library imports form a cycle")
		}
	}
}
