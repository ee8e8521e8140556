package luamod

import (
	"context"
	"net/http"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// DefaultMaxBody is the request body limit when http.request{max_body=} is
// not given.
const DefaultMaxBody = 10 << 20

// DefaultWriteTimeout bounds each write of a streamed (SSE) response; it
// replaces the server's whole-response write timeout for streams (SPEC 11.3).
const DefaultWriteTimeout = 10 * time.Second

// Exchange is one HTTP request/response pair seen by a Lua handler. It holds
// the response state machine: status and headers are held back until the
// first body byte (or the end of the handler). An Exchange is used only by
// the goroutine serving the request.
type Exchange struct {
	W      http.ResponseWriter
	R      *http.Request
	Params []string // route parameter names, in pattern order

	rc       *http.ResponseController // created on first use, see ctl
	status   int                      // 0 = not set by the script
	wrote    bool                     // headers committed (first body byte or flush)
	sse      bool                     // response is in SSE mode
	maxBody  int64
	body     []byte
	bodyErr  error
	bodyRead bool

	reqUD, resUD *lua.LUserData // the Lua objects, created on first use

	hold     string // header kept off the wire (canonical name), "" for none
	held     string
	haveHeld bool

	call callCtx // the context WithExchange returns, allocated with ex
}

// Hold keeps the named response header off the wire: it is removed when
// headers are committed, and its value is available from Held. The relay
// uses it for X-SSE-Relay.
func (ex *Exchange) Hold(name string) { ex.hold = http.CanonicalHeaderKey(name) }

// Held returns the held header's value (removing it from the response if
// headers are not committed yet).
func (ex *Exchange) Held() (string, bool) {
	ex.takeHeld()
	return ex.held, ex.haveHeld
}

func (ex *Exchange) takeHeld() {
	if ex.hold == "" {
		return
	}
	h := ex.W.Header()
	if vals, ok := h[ex.hold]; ok {
		if len(vals) > 0 {
			ex.held, ex.haveHeld = vals[0], true
		}
		delete(h, ex.hold)
	}
}

// NewExchange wraps one request.
func NewExchange(w http.ResponseWriter, r *http.Request, params []string) *Exchange {
	ex := new(Exchange)
	ex.Init(w, r, params)
	return ex
}

// Init makes *ex a new exchange for one request, as NewExchange does, for
// callers that allocate the Exchange inside a larger per-request value.
func (ex *Exchange) Init(w http.ResponseWriter, r *http.Request, params []string) {
	*ex = Exchange{W: w, R: r, Params: params, maxBody: DefaultMaxBody}
}

// ctl returns the ResponseController of ex.W, creating it on first use
// (most handlers never need one).
func (ex *Exchange) ctl() *http.ResponseController {
	if ex.rc == nil {
		ex.rc = http.NewResponseController(ex.W)
	}
	return ex.rc
}

type exchangeKey struct{}

// callCtx is the context of one handler call: ctx's values, deadline and
// cancellation, plus the exchange. Its Done channel is ctx's, read once:
// an LState with a context reads Done before every VM instruction, and a
// chain of value contexts would forward each read.
type callCtx struct {
	context.Context
	done <-chan struct{}
	ex   *Exchange
}

func (c *callCtx) Done() <-chan struct{} { return c.done }

func (c *callCtx) Value(key any) any {
	if key == (exchangeKey{}) {
		return c.ex
	}
	return c.Context.Value(key)
}

// WithExchange returns a context carrying ex on top of ctx;
// http.request()/http.response() find it through the LState's context.
// Give the LState this context itself, not one derived from it, so that
// the VM reads Done from it directly.
func WithExchange(ctx context.Context, ex *Exchange) context.Context {
	c := &ex.call
	if c.Context != nil { // ex already has a call context: make another
		c = new(callCtx)
	}
	*c = callCtx{Context: ctx, done: ctx.Done(), ex: ex}
	return c
}

// ExchangeFrom returns the exchange in ctx, or nil.
func ExchangeFrom(ctx context.Context) *Exchange {
	if c, ok := ctx.(*callCtx); ok {
		return c.ex
	}
	if ctx == nil {
		return nil
	}
	ex, _ := ctx.Value(exchangeKey{}).(*Exchange)
	return ex
}

// Status is the status set by the script (0 when none).
func (ex *Exchange) Status() int { return ex.status }

// Committed reports whether headers (and maybe body bytes) went out.
func (ex *Exchange) Committed() bool { return ex.wrote }

// SSE reports whether the response switched to SSE mode.
func (ex *Exchange) SSE() bool { return ex.sse }

// Touched reports whether the script produced any response: a status, or a
// committed response.
func (ex *Exchange) Touched() bool { return ex.wrote || ex.status != 0 }

// commit sends status and headers once.
func (ex *Exchange) commit() {
	if ex.wrote {
		return
	}
	ex.takeHeld()
	ex.wrote = true
	status := ex.status
	if status == 0 {
		status = http.StatusOK
	}
	ex.W.WriteHeader(status)
}

// Write sends body bytes, committing headers first.
func (ex *Exchange) Write(p []byte) error {
	ex.commit()
	if ex.sse {
		_ = ex.ctl().SetWriteDeadline(time.Now().Add(DefaultWriteTimeout))
	}
	_, err := ex.W.Write(p)
	return err
}

// Flush commits headers and flushes buffered bytes to the client.
func (ex *Exchange) Flush() error {
	ex.commit()
	return ex.ctl().Flush()
}

// Finish completes the response after the handler returned: commits a set
// status with an empty body. It reports false when nothing was sent at all.
func (ex *Exchange) Finish() bool {
	if !ex.Touched() {
		return false
	}
	ex.commit()
	return true
}

// Fail replaces an uncommitted response with a plain-text error. It reports
// false when headers already went out (nothing can be replaced).
func (ex *Exchange) Fail(status int, msg string) bool {
	if ex.wrote {
		return false
	}
	h := ex.W.Header()
	for k := range h {
		delete(h, k)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	ex.status = status
	ex.commit()
	_, _ = ex.W.Write([]byte(msg + "\n"))
	return true
}

// WriteJSON writes an already-encoded JSON body with 200, setting the content
// type unless the script chose one.
func (ex *Exchange) WriteJSON(body []byte) error {
	h := ex.W.Header()
	if ct := h["Content-Type"]; len(ct) == 0 || ct[0] == "" { // h.Get, without canonicalising
		h["Content-Type"] = jsonContentType
	}
	return ex.Write(body)
}

// jsonContentType is shared by every JSON response's header. Header value
// slices are only ever replaced (Set) or appended to (Add, which copies a
// full slice), never written in place, so sharing one is safe.
var jsonContentType = []string{"application/json"}

// enterSSE switches the response into SSE mode (headers only).
func (ex *Exchange) enterSSE() {
	h := ex.W.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	ex.sse = true
}
