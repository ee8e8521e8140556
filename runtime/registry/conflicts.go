package registry

import (
	"net"
)

// checkConflicts reports two services on one address, two routers with one
// prefix on one server and two endpoints with one method and route on one
// server. Entries whose relevant fields were rejected are skipped so a
// problem is not reported twice.
func (l *loader) checkConflicts() {
	addrs := map[string]*Entry{}
	prefixes := map[string]*Entry{}
	routes := map[string]*Entry{}
	for _, e := range l.reg.Entries {
		switch e.Kind {
		case KindHTTPService:
			l.conflictAddr(e, addrs)
		case KindHTTPRouter:
			l.conflictPrefix(e, prefixes)
		case KindHTTPEndpoint:
			l.conflictRoute(e, routes)
		}
	}
}

func (l *loader) fieldPos(e *Entry, field string) Pos {
	if p, ok := l.info[e].pos[field]; ok {
		return p
	}
	return e.Pos
}

func (l *loader) conflictAddr(e *Entry, seen map[string]*Entry) {
	if e.Addr == "" {
		return
	}
	// Port 0 asks the OS for a free port: any number of services may use it.
	if _, port, err := net.SplitHostPort(e.Addr); err != nil || port == "0" || port == "" {
		return
	}
	if first, dup := seen[e.Addr]; dup {
		l.errorf(l.fieldPos(e, "addr"), e.ID, "addr %q already used by %s (%s)", e.Addr, first.ID, l.fieldPos(first, "addr"))
		return
	}
	seen[e.Addr] = e
}

// validRouter reports whether router r is usable for conflict checks: its
// prefix was accepted and it points at an http.service.
func (l *loader) validRouter(r *Entry) bool {
	return r != nil && r.Kind == KindHTTPRouter && !l.info[r].bad["prefix"] &&
		l.kinds[r.Server] == KindHTTPService
}

func (l *loader) conflictPrefix(e *Entry, seen map[string]*Entry) {
	if !l.validRouter(e) {
		return
	}
	key := e.Server + " " + e.Prefix
	if first, dup := seen[key]; dup {
		l.errorf(l.fieldPos(e, "prefix"), e.ID, "prefix %q already used on server %s by router %s (%s)",
			displayPrefix(e.Prefix), e.Server, first.ID, l.fieldPos(first, "prefix"))
		return
	}
	seen[key] = e
}

func displayPrefix(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func (l *loader) conflictRoute(e *Entry, seen map[string]*Entry) {
	r := l.reg.ByID[e.Router]
	if e.Method == "" || e.Path == "" || l.info[e].bad["path"] || !l.validRouter(r) {
		return
	}
	key := r.Server + " " + e.Method + " " + routeKey(r.Prefix, e.Path)
	if first, dup := seen[key]; dup {
		fr := l.reg.ByID[first.Router]
		l.errorf(l.fieldPos(e, "path"), e.ID, "route %s %s on server %s conflicts with %s (%s %s at %s)",
			e.Method, r.Prefix+e.Path, r.Server, first.ID, first.Method, fr.Prefix+first.Path, l.fieldPos(first, "path"))
		return
	}
	seen[key] = e
}
