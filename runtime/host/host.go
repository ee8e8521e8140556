package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"luahost/relay"
	"luahost/runtime/actor"
	"luahost/runtime/registry"
	"luahost/runtime/watch"
)

// Defaults for http.service timeouts that the registry leaves unset.
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultIdleTimeout       = 120 * time.Second
	// shutdownGrace is how long in-flight requests may finish on shutdown
	// before their contexts are cancelled (which ends streaming handlers).
	shutdownGrace = 5 * time.Second
)

// Host runs a generation: its HTTP servers, process services and the
// actor kernel they share.
type Host struct {
	log      *slog.Logger
	path     string // root registry file
	rt       *runtime
	gen      atomic.Pointer[Generation]
	reloadMu sync.Mutex         // serialises Reload; guards lastReg
	lastReg  *registry.Registry // as the last reload loaded it (maybe partial)

	baseCtx    context.Context // parent of every request context
	cancelBase context.CancelFunc

	mu       sync.Mutex
	servers  map[string]*server // by http.service id
	retired  []*server          // replaced by a reload, finishing their requests
	services map[string]*supervisor
	watcher  *watch.Watcher
	wg       sync.WaitGroup // server goroutines
}

// server is one listening http.service. Its handler reads the route table of
// the current generation on every request.
type server struct {
	e    *registry.Entry
	id   string
	addr string // actual listening address
	srv  *http.Server
	ln   net.Listener
}

// Load builds the application at path. On failure it returns every problem
// found (registry, scripts, routes) sorted by file and line, and nothing
// runs. Nothing listens until Start.
func Load(path string, log *slog.Logger) (*Host, registry.Errors) {
	rt := newRuntime(log)
	gen, _, errs := build(path, rt)
	if len(errs) > 0 {
		return nil, errs
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Host{log: log, path: path, rt: rt, baseCtx: ctx, cancelBase: cancel,
		servers: make(map[string]*server), services: make(map[string]*supervisor)}
	h.gen.Store(gen)
	rt.node.SetCatalog(gen)
	return h, nil
}

// Kernel returns the actor kernel (for tests and tools).
func (h *Host) Kernel() *actor.Kernel { return h.rt.kernel }

// Generation returns the generation currently serving.
func (h *Host) Generation() *Generation { return h.gen.Load() }

// Start binds every http.service with auto_start and serves in the
// background. If any bind fails, the servers already started are closed.
func (h *Host) Start() error {
	gen := h.gen.Load()
	_, started, err := h.syncServers(gen)
	if err != nil {
		h.closeAll()
		return err
	}
	h.syncServices(nil, gen)
	h.waitUp(5 * time.Second) // serve once services can be looked up
	for _, s := range started {
		h.run(s)
	}
	return nil
}

// listen binds an http.service; serving starts with run.
func (h *Host) listen(e *registry.Entry) (*server, error) {
	ln, err := net.Listen("tcp", e.Addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen %s: %w", e.ID, e.Addr, err)
	}
	id := e.ID
	s := &server{e: e, id: id, addr: ln.Addr().String(), ln: ln}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(id, w, r) }),
		ReadTimeout:       e.Timeouts.Read,
		ReadHeaderTimeout: defaultReadHeaderTimeout,
		WriteTimeout:      e.Timeouts.Write,
		IdleTimeout:       orDefault(e.Timeouts.Idle, defaultIdleTimeout),
		BaseContext:       func(net.Listener) context.Context { return h.baseCtx },
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// run serves s on a goroutine owned by the host (awaited in Shutdown).
func (h *Host) run(s *server) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		err := s.srv.Serve(s.ln)
		if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			h.log.Error("server stopped", "service", s.id, "err", err)
		}
	}()
	h.log.Info("listening", "service", s.id, "addr", "http://"+s.addr)
}

// syncServers makes the running servers match gen: it binds new and
// rebound services first (so a failed bind changes nothing), then swaps
// them in. It returns the servers to retire and the new ones, which the
// caller starts serving (run) once gen is the current generation.
func (h *Host) syncServers(gen *Generation) (retired, started []*server, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	want := map[string]*registry.Entry{}
	for _, e := range gen.Reg.OfKind(registry.KindHTTPService) {
		if !e.Lifecycle.AutoStart {
			continue
		}
		want[e.ID] = e
		if cur := h.servers[e.ID]; cur != nil && cur.e.Addr == e.Addr {
			if cur.e.Timeouts != e.Timeouts {
				h.log.Warn("timeouts of a running server change only when its addr changes or on restart", "service", e.ID)
			}
			continue
		}
		s, err := h.listen(e)
		if err != nil {
			for _, s := range started {
				_ = s.ln.Close()
			}
			return nil, nil, err
		}
		started = append(started, s)
	}
	for _, s := range started {
		if old := h.servers[s.id]; old != nil {
			retired = append(retired, old)
		}
		h.servers[s.id] = s
	}
	for id, s := range h.servers {
		if want[id] == nil {
			retired = append(retired, s)
			delete(h.servers, id)
		}
	}
	return retired, started, nil
}

// retireServers stops servers a reload replaced: they accept nothing new
// and finish their requests and streams in the background.
func (h *Host) retireServers(list []*server) {
	h.mu.Lock()
	h.retired = append(h.retired, list...)
	h.mu.Unlock()
	for _, s := range list {
		h.log.Info("server retired", "service", s.id, "addr", s.addr)
		go func() {
			_ = s.srv.Shutdown(context.Background())
			// Done: forget it, so many rebinds do not accumulate servers.
			h.mu.Lock()
			h.retired = slices.DeleteFunc(h.retired, func(x *server) bool { return x == s })
			h.mu.Unlock()
		}()
	}
}

// serve routes a request through the current generation.
func (h *Host) serve(service string, w http.ResponseWriter, r *http.Request) {
	table := h.gen.Load().Handlers[service]
	if table == nil {
		http.NotFound(w, r)
		return
	}
	table.ServeHTTP(w, r)
}

// Addr returns the actual listening address of an http.service ("" if it
// is not listening). Useful with port 0.
func (h *Host) Addr(serviceID string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.servers[serviceID]; ok {
		return s.addr
	}
	return ""
}

// Shutdown stops accepting connections, lets in-flight requests finish for
// a grace period, then cancels the remaining request contexts (ending
// streams and interrupting Lua code) and waits for the servers to stop.
func (h *Host) Shutdown(ctx context.Context) error {
	grace, cancel := context.WithTimeout(ctx, shutdownGrace)
	defer cancel()
	h.stopAccepting()
	if err := h.rt.hub.Shutdown(grace); err != nil {
		h.log.Warn("relay streams still open at shutdown", "err", err)
	}
	h.mu.Lock()
	servers := make([]*server, 0, len(h.servers)+len(h.retired))
	for _, s := range h.servers {
		servers = append(servers, s)
	}
	servers = append(servers, h.retired...)
	w := h.watcher
	h.mu.Unlock()
	if w != nil {
		_ = w.Close()
	}
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.srv.Shutdown(grace); err != nil {
				h.cancelBase()
				_ = s.srv.Close()
			}
		}()
	}
	wg.Wait()
	h.cancelBase()
	h.wg.Wait()
	h.stopServices()
	if err := h.rt.kernel.Shutdown(ctx); err != nil {
		h.log.Warn("processes still running at shutdown", "err", err)
	}
	return ctx.Err()
}

// stopAccepting closes the listeners so no new stream starts while the
// open ones say goodbye.
func (h *Host) stopAccepting() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.servers {
		s.srv.SetKeepAlivesEnabled(false)
		_ = s.ln.Close()
	}
}

// Relay returns the relay hub (for tests and tools).
func (h *Host) Relay() *relay.Hub { return h.rt.hub }

func (h *Host) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.servers {
		_ = s.srv.Close()
	}
	h.cancelBase()
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
