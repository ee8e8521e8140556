package host

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"luahost/runtime/actor"
	"luahost/runtime/registry"
)

// supervisor keeps one process.service running: it starts the process,
// registers it under the entry id, and restarts it with exponential backoff
// when it exits with an error. Its goroutine is owned by the Host (started
// by syncServices, stopped by stop, which waits through done).
type supervisor struct {
	e           *registry.Entry
	fingerprint string // what it runs; a reload that changes it restarts the service
	rt          *runtime
	cancel      context.CancelFunc
	kill        atomic.Bool   // on stop, terminate the process and wait for it
	done        chan struct{} // closed when the goroutine returns
	up          chan struct{} // closed once the first start registered the name (or failed)
	upOnce      sync.Once
}

func (h *Host) startService(gen *Generation, e *registry.Entry) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &supervisor{e: e, fingerprint: gen.fingerprint(e), rt: h.rt, cancel: cancel, done: make(chan struct{}), up: make(chan struct{})}
	h.services[e.ID] = s
	go s.run(ctx)
}

func (s *supervisor) markUp() { s.upOnce.Do(func() { close(s.up) }) }

// waitUp waits until every service's first start registered its name (or
// failed), at most d: requests that look a service up right after start
// then find it.
func (h *Host) waitUp(d time.Duration) {
	deadline := time.After(d)
	for _, s := range h.services {
		select {
		case <-s.up:
		case <-deadline:
			return
		}
	}
}

// stop ends the supervisor; with kill it also terminates the process (and
// waits for it to exit, so its name is free for a successor).
func (s *supervisor) stop(kill bool) {
	s.kill.Store(kill)
	s.cancel()
	<-s.done
}

// syncServices makes the supervisors match gen (old is nil at start):
// services that are new or whose fingerprint changed are (re)started on the
// new code, removed ones are stopped, untouched ones keep running. It
// returns the ids it restarted.
func (h *Host) syncServices(old, gen *Generation) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var restarted []string
	want := map[string]bool{}
	for _, e := range gen.Reg.OfKind(registry.KindProcessService) {
		if !e.Lifecycle.AutoStart {
			continue
		}
		want[e.ID] = true
		cur := h.services[e.ID]
		if cur != nil && cur.fingerprint == gen.fingerprint(e) {
			continue
		}
		if cur != nil {
			cur.stop(true)
			restarted = append(restarted, e.ID)
		}
		h.startService(gen, e)
	}
	for id, s := range h.services {
		if !want[id] {
			s.stop(true)
			delete(h.services, id)
		}
	}
	return restarted
}

// stopServices stops every supervisor (not the processes: kernel shutdown
// does that) and waits for them.
func (h *Host) stopServices() {
	h.mu.Lock()
	list := make([]*supervisor, 0, len(h.services))
	for _, s := range h.services {
		list = append(list, s)
	}
	h.mu.Unlock()
	for _, s := range list {
		s.cancel()
	}
	for _, s := range list {
		<-s.done
	}
}

func (s *supervisor) run(ctx context.Context) {
	defer close(s.done)
	defer s.markUp()
	log := s.rt.log.With("service", s.e.ID)
	mb := s.rt.kernel.NewMailbox()
	self, err := s.rt.kernel.Attach(s.e.Host, mb)
	if err != nil {
		log.Error("service not started", "err", err)
		return
	}
	defer self.Exit(nil, nil)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	context.AfterFunc(self.Context(), stop) // kernel shutdown stops us too
	policy := s.e.Lifecycle.Restart
	attempts := 0
	for {
		started := time.Now()
		exitErr, alive := s.once(ctx, self, mb, log)
		if !alive {
			return
		}
		if exitErr == nil {
			log.Info("service exited normally; not restarting")
			return
		}
		if policy.MaxDelay > 0 && time.Since(started) > policy.MaxDelay {
			attempts = 0 // it ran long enough: a fresh failure, not a crash loop
		}
		attempts++
		if policy.MaxAttempts > 0 && attempts > policy.MaxAttempts {
			log.Error("service failed too often; giving up", "attempts", attempts-1, "err", exitErr)
			return
		}
		delay := backoff(policy, attempts)
		log.Warn("service failed; restarting", "err", exitErr, "attempt", attempts, "delay", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// once starts the process and waits for its exit. It returns the exit
// error, and alive=false when the supervisor must stop.
func (s *supervisor) once(ctx context.Context, self *actor.Proc, mb *actor.QueueMailbox, log interface {
	Info(string, ...any)
	Error(string, ...any)
}) (error, bool) {
	pid, err := s.rt.node.SpawnUnit(s.e.Process, s.e.Host, s.e.Input, actor.SpawnOptions{Parent: self.PID(), Monitor: true})
	if err != nil {
		log.Error("service spawn failed", "err", err)
		return err, ctx.Err() == nil
	}
	if err := s.rt.kernel.Register(s.e.ID, pid); err != nil && s.rt.kernel.Alive(pid) {
		log.Error("service name not registered", "err", err)
	}
	s.markUp()
	log.Info("service started", "pid", pid.String())
	for {
		for ev, ok := mb.Events.TryPop(); ok; ev, ok = mb.Events.TryPop() {
			if ev.Kind == actor.EventExit && ev.From == pid {
				return ev.Err, ctx.Err() == nil
			}
		}
		select {
		case <-ctx.Done():
			if s.kill.Load() {
				s.terminate(pid, mb)
			}
			return nil, false
		case <-mb.Events.Notify():
		}
	}
}

// terminate kills the service process and waits (bounded) for its EXIT.
func (s *supervisor) terminate(pid actor.PID, mb *actor.QueueMailbox) {
	if s.rt.kernel.Terminate(pid) != nil {
		return // already gone
	}
	deadline := time.After(5 * time.Second)
	for {
		for ev, ok := mb.Events.TryPop(); ok; ev, ok = mb.Events.TryPop() {
			if ev.Kind == actor.EventExit && ev.From == pid {
				return
			}
		}
		select {
		case <-mb.Events.Notify():
		case <-deadline:
			return
		}
	}
}

// backoff is initial * factor^(attempt-1), capped at MaxDelay.
func backoff(r registry.Restart, attempt int) time.Duration {
	d := float64(r.InitialDelay) * math.Pow(r.BackoffFactor, float64(attempt-1))
	if r.MaxDelay > 0 && d > float64(r.MaxDelay) {
		return r.MaxDelay
	}
	return time.Duration(d)
}
