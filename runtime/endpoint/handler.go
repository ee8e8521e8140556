package endpoint

import (
	"context"
	"errors"

	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	lua "github.com/yuin/gopher-lua"

	"luahost/luamod"
	"luahost/runtime/luaproc"
	"luahost/runtime/script"
)

// Handler serves one endpoint with one Lua function.
type Handler struct {
	// Post, when set, runs after the Lua function returned without error
	// or return value, before the response is completed; it may take the
	// response over (the relay does).
	Post   Post
	Unit   *script.Unit
	Pool   *script.Pool
	Node   *luaproc.Node // the handler call's process lives here
	Params []string      // route parameter names
	Log    *slog.Logger
}

// Post is a post-match middleware.
type Post interface {
	// Header names the response header the middleware reads; it is kept
	// off the wire (see luamod.Exchange.Hold).
	Header() string
	// After may take over the response; it reports whether it did.
	After(w http.ResponseWriter, r *http.Request, ex *luamod.Exchange) bool
}

// outcome is what a Lua call produced.
type outcome struct {
	err      error  // Lua error (message with file:line)
	trace    string // Lua traceback for the log
	returned []byte // JSON of the returned value, when one was returned
}

// perCall is what one request needs from the handler, allocated at once.
type perCall struct {
	ex   luamod.Exchange
	proc luamod.ProcCtx
}

// ServeHTTP runs the Lua function and completes the response.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	pc := new(perCall)
	ex := &pc.ex
	ex.Init(w, r, h.Params)
	if h.Post != nil {
		ex.Hold(h.Post.Header())
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	self := h.Node.NewLazy(h.Unit.ID)
	self.OnKill = cancel
	pc.proc = luamod.ProcCtx{Self: self, Procs: h.Node}
	// WithExchange last: the LState reads Done from it (see WithExchange).
	ctx = luamod.WithExchange(luamod.WithProcess(ctx, &pc.proc), ex)
	out := h.call(ctx, ex)
	self.Close(exitErr(out.err))
	if h.Post != nil && out.err == nil && out.returned == nil && h.Post.After(w, r, ex) {
		return
	}
	h.finish(ctx, r, ex, out)
}

// call runs the function on a pooled State; the State is owned by this
// goroutine until it is returned.
func (h *Handler) call(ctx context.Context, ex *luamod.Exchange) (out outcome) {
	s := h.Pool.Get()
	defer func() {
		if p := recover(); p != nil {
			s.MarkBroken()
			h.Log.Error("handler panic", "entry", h.Unit.ID, "panic", p, "stack", string(debug.Stack()))
			out = outcome{err: fmt.Errorf("internal error in %s", h.Unit.ID)}
		}
		s.L.RemoveContext()
		h.Pool.Put(s)
	}()
	s.L.SetContext(ctx)
	fn, err := h.Unit.Instantiate(s)
	if err != nil {
		return outcome{err: err, trace: script.Traceback(err)}
	}
	if err := s.L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}); err != nil {
		return outcome{err: err, trace: script.Traceback(err)}
	}
	ret := s.L.Get(-1)
	s.L.Pop(1)
	if ret == lua.LNil || ex.Committed() {
		return outcome{}
	}
	body, err := luamod.EncodeJSON(nil, ret)
	if err != nil {
		return outcome{err: fmt.Errorf("%s: encoding return value as JSON: %w", h.Unit.ID, err)}
	}
	return outcome{returned: body}
}

// finish completes the response from the outcome.
func (h *Handler) finish(ctx context.Context, r *http.Request, ex *luamod.Exchange, out outcome) {
	switch {
	case out.err != nil:
		h.fail(ctx, r, ex, out)
	case out.returned != nil:
		if err := ex.WriteJSON(out.returned); err != nil {
			h.Log.Debug("writing response", "entry", h.Unit.ID, "err", err)
		}
	case !ex.Finish():
		ex.Fail(http.StatusInternalServerError, "no response sent")
		h.Log.Warn("handler sent no response", "entry", h.Unit.ID, "path", r.URL.Path)
	}
}

func (h *Handler) fail(ctx context.Context, r *http.Request, ex *luamod.Exchange, out outcome) {
	msg := script.ErrorMessage(out.err)
	if r.Context().Err() != nil {
		h.Log.Debug("handler interrupted", "entry", h.Unit.ID, "path", r.URL.Path, "reason", context.Cause(r.Context()))
		return
	}
	if ctx.Err() != nil { // the handler's process was killed
		msg = context.Cause(ctx).Error()
	}
	h.Log.Error("handler error", "entry", h.Unit.ID, "path", r.URL.Path, "err", msg, "traceback", out.trace)
	if !ex.Fail(http.StatusInternalServerError, msg) {
		h.Log.Debug("error after response started; stream ended", "entry", h.Unit.ID)
	}
}

// exitErr turns a handler's Lua error into its process's exit error.
func exitErr(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(script.ErrorMessage(err))
}
