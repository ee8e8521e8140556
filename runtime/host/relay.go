package host

import (
	"net/http"

	"luahost/luamod"
	"luahost/relay"
	"luahost/runtime/endpoint"
	"luahost/runtime/registry"
)

// relayName is the post_middleware name of the SSE relay.
const relayName = "sse_relay"

// relayPost adapts relay.Middleware to endpoint.Post (SPEC 9.1 steps 2-3:
// no header → unchanged; body written or status other than 200 → skipped,
// without the header).
type relayPost struct{ mw *relay.Middleware }

var _ endpoint.Post = relayPost{}

func (relayPost) Header() string { return "X-SSE-Relay" }

func (p relayPost) After(w http.ResponseWriter, r *http.Request, ex *luamod.Exchange) bool {
	cfg, ok := ex.Held()
	if !ok || ex.Committed() || (ex.Status() != 0 && ex.Status() != http.StatusOK) {
		return false
	}
	if r.Method == http.MethodHead { // HEAD learns what GET would stream; no stream starts
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		return true
	}
	p.mw.Serve(w, r, cfg)
	return true
}

// routerPost builds the post-match middleware of a router, if any.
func (b *builder) routerPost(router *registry.Entry) endpoint.Post {
	for _, name := range router.PostMiddleware {
		if name != relayName {
			continue
		}
		mw, err := relay.NewMiddleware(b.hub, router.Server, router.PostOptions)
		if err != nil {
			b.addErr(router, router.Pos, "%v", err)
			return nil
		}
		return relayPost{mw}
	}
	return nil
}
