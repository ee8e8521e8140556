package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

const (
	scenarioIdle    = "idle"
	scenarioFanout  = "fanout"
	scenarioChurn   = "churn"
	scenarioHandler = "handler"

	targetLuahost  = "luahost"
	targetBaseline = "baseline"
)

var allScenarios = []string{scenarioIdle, scenarioFanout, scenarioChurn, scenarioHandler}

// runResult is one run of one scenario against one target.
type runResult struct {
	Metrics  map[string]float64 `json:"metrics"`
	Problems []string           `json:"problems,omitempty"`
	Errors   []string           `json:"error_samples,omitempty"`
}

func (r *runResult) set(name string, v float64) { r.Metrics[name] = v }

func (r *runResult) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// run is the state of one run: the server, the workers, the deadline.
type run struct {
	o        *options
	scenario string
	target   string
	srv      server
	ws       *workerSet
	deadline time.Time
	res      runResult
	cpu0     cpuMark // when every stream was open
	prof     *phaseProfile
}

// runScenario runs scenario once against target and returns what it
// measured. Problems (errors, lost events, leaks) are listed, not fatal.
func runScenario(o *options, scenario, target string, prof *phaseProfile) runResult {
	r := &run{o: o, scenario: scenario, target: target, prof: prof, res: runResult{Metrics: map[string]float64{}}}
	r.deadline = time.Now().Add(o.budget(scenario))
	if err := r.do(); err != nil {
		r.res.problem("%v", err)
	}
	if r.ws != nil {
		r.ws.close()
	}
	if r.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_ = r.srv.shutdown(ctx)
		cancel()
	}
	return r.res
}

func (r *run) do() error {
	log := slog.New(slog.DiscardHandler)
	if r.o.serverLog {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := startServer(r.target, r.o.heartbeat, log)
	if err != nil {
		return fmt.Errorf("start %s: %w", r.target, err)
	}
	r.srv = srv
	if r.scenario != scenarioFanout {
		r.prof.start()
	}
	if r.scenario != scenarioHandler {
		if err := r.warmup(); err != nil {
			return fmt.Errorf("warm-up stream: %w", err)
		}
	}
	switch r.scenario {
	case scenarioIdle:
		return r.idle()
	case scenarioFanout:
		return r.fanout()
	case scenarioChurn:
		return r.churn()
	case scenarioHandler:
		return r.handler()
	}
	return fmt.Errorf("unknown scenario %q", r.scenario)
}

// warmup opens and closes one stream from this process, so that whatever
// the server sets up once (pools, shared timers) exists before the
// "before" figures are taken.
func (r *run) warmup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := newDialer(r.srv.addr(), nil)
	if err != nil {
		return err
	}
	conn, err := d.dial(ctx, 0)
	if err != nil {
		return err
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	sr, err := openStream(conn, r.srv.addr(), streamPath)
	if err != nil {
		conn.Close()
		return err
	}
	for range 16 {
		ev, err := sr.next()
		if err != nil {
			conn.Close()
			return err
		}
		if ev.name != ":" && isWelcome(ev.data) {
			break
		}
	}
	conn.Close()
	for until := time.Now().Add(5 * time.Second); r.srv.active() > 0 && time.Now().Before(until); {
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// jobs splits conns over the workers.
func (r *run) jobs(conns int, rate float64) []job {
	w := r.o.workerCount(r.scenario)
	ips := make([]string, r.o.srcIPs)
	for i := range ips {
		ips[i] = "127.0.0." + strconv.Itoa(2+i)
	}
	list := make([]job, w)
	for i := range list {
		c := conns / w
		if i < conns%w {
			c++
		}
		list[i] = job{Scenario: r.scenario, Worker: i, Addr: r.srv.addr(), Conns: c, Rate: rate / float64(w),
			Duration: r.o.duration, SrcIPs: ips, Deadline: r.deadline.UnixNano()}
	}
	return list
}

func (r *run) startWorkers(jobs []job) error {
	ws, err := startWorkers(jobs)
	if err != nil {
		return err
	}
	r.ws = ws
	return nil
}

func (r *run) remaining() time.Duration { return max(time.Until(r.deadline), time.Second) }

// openStreams starts the workers and waits until they hold their streams.
func (r *run) openStreams() (welcomed int64, err error) {
	if err := r.startWorkers(r.jobs(r.o.n, 0)); err != nil {
		return 0, err
	}
	ready, err := r.ws.await("ready", r.remaining())
	r.cpu0 = cpuMark{server: cpuNow(), clients: clientCPU(ready)}
	var connErrs int64
	for _, rp := range ready {
		welcomed += rp.Welcomed
		connErrs += rp.ConnectErrors
		if rp.Error != "" {
			r.res.Errors = append(r.res.Errors, rp.Error)
		}
	}
	r.res.set("streams", float64(welcomed))
	if err != nil {
		return welcomed, err
	}
	if welcomed != int64(r.o.n) {
		r.res.problem("%d of %d streams opened and joined (%d connect errors)", welcomed, r.o.n, connErrs)
	}
	return welcomed, nil
}

// stopStreams quiesces the workers, stops them and sums their stats.
func (r *run) stopStreams() (*workerStats, error) {
	if err := r.ws.sendAll(command{Cmd: "stop"}); err != nil {
		return nil, err
	}
	finals, err := r.ws.await("final", min(r.remaining(), time.Minute))
	if err != nil {
		return nil, err
	}
	return r.sum(finals), nil
}

func (r *run) sum(finals []reply) *workerStats {
	t := &workerStats{Done: map[string]int64{}, DoneAtStop: map[string]int64{}, MinCount: -1}
	for _, f := range finals {
		s := f.Stats
		if s == nil {
			continue
		}
		t.Opened += s.Opened
		t.Welcomed += s.Welcomed
		t.ConnectErrors += s.ConnectErrors
		t.StreamErrors += s.StreamErrors
		t.Pings += s.Pings
		t.Events += s.Events
		t.Requests += s.Requests
		t.BadResponses += s.BadResponses
		t.Connects += s.Connects
		t.ElapsedNs = max(t.ElapsedNs, s.ElapsedNs)
		if s.Opened > 0 && (t.MinCount < 0 || s.MinCount < t.MinCount) {
			t.MinCount = s.MinCount
		}
		t.MaxCount = max(t.MaxCount, s.MaxCount)
		for k, v := range s.Done {
			t.Done[k] += v
		}
		for k, v := range s.DoneAtStop {
			t.DoneAtStop[k] += v
		}
		t.Latency.merge(s.Latency)
		r.res.Errors = append(r.res.Errors, s.ErrorSamples...)
	}
	t.MinCount = max(t.MinCount, 0)
	if len(r.res.Errors) > 10 {
		r.res.Errors = r.res.Errors[:10]
	}
	return t
}

func (r *run) setLatency(prefix string, h *histData) {
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	r.res.set(prefix+"p50_ms", ms(h.quantile(0.50)))
	r.res.set(prefix+"p99_ms", ms(h.quantile(0.99)))
	r.res.set(prefix+"max_ms", ms(h.MaxNs))
}

// doneErrors counts streams that the server ended while the scenario ran.
func doneErrors(t *workerStats) int64 {
	var n int64
	for _, v := range t.Done {
		n += v
	}
	return n
}

// ---------------------------------------------------------------------

// idle holds n streams with heartbeats and measures the server's memory
// and goroutines per stream, then shuts the server down with every stream
// open and times it.
func (r *run) idle() error {
	m0 := memNow()
	g0 := runtime.NumGoroutine()
	streams, err := r.openStreams()
	if err != nil {
		return err
	}
	hold := time.NewTimer(r.o.duration)
	<-hold.C
	m1 := memNow()
	g1 := runtime.NumGoroutine()
	active := r.srv.active()
	if err := r.ws.sendAll(command{Cmd: "quiesce"}); err != nil {
		return err
	}
	if _, err := r.ws.await("quiesced", time.Minute); err != nil {
		return err
	}
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	serr := r.srv.shutdown(ctx)
	cancel()
	r.res.set("shutdown_s", time.Since(t0).Seconds())
	if serr != nil {
		r.res.problem("shutdown: %v", serr)
	}
	t, err := r.stopStreams()
	if err != nil {
		return err
	}
	per := func(a, b uint64) float64 {
		if streams == 0 {
			return 0
		}
		return (float64(a) - float64(b)) / float64(streams)
	}
	r.res.set("server_streams", float64(active))
	r.res.set("rss_per_stream_b", per(m1.rss, m0.rss))
	r.res.set("heap_per_stream_b", per(m1.heap, m0.heap))
	r.res.set("stack_per_stream_b", per(m1.stack, m0.stack))
	r.res.set("goroutines_per_stream", per(uint64(g1), uint64(g0)))
	if streams > 0 {
		r.res.set("pings_per_stream", float64(t.Pings)/float64(streams))
	}
	r.res.set("server_rss_mb", float64(m1.rss)/(1<<20))
	r.res.set("done_at_shutdown", float64(t.DoneAtStop["server shutting down"]))
	errs := t.ConnectErrors + t.StreamErrors + doneErrors(t)
	r.res.set("errors", float64(errs))
	if errs > 0 {
		r.res.problem("%d errors (connect %d, stream %d, done %v)", errs, t.ConnectErrors, t.StreamErrors, t.Done)
	}
	if active != int(streams) {
		r.res.problem("server holds %d streams, clients %d", active, streams)
	}
	if r.o.heartbeat > 0 && r.o.duration >= 2*r.o.heartbeat && t.Pings < streams {
		r.res.problem("only %d heartbeats for %d streams", t.Pings, streams)
	}
	return nil
}

// fanout has the room broadcast to every stream, either K bursts of
// burst-size events as fast as possible (throughput), or events at a rate
// for a duration (latency).
func (r *run) fanout() error {
	streams, err := r.openStreams()
	if err != nil {
		return err
	}
	r.prof.start()
	seq := 0
	var busy time.Duration
	var delivered int64
	var cpu1 cpuMark
	bursts := r.o.bursts > 0
	if bursts {
		for b := 0; b < r.o.bursts && time.Now().Before(r.deadline); b++ {
			total := seq + r.o.burstSize
			if err := r.ws.sendAll(command{Cmd: "wait", Total: int64(total), Timeout: r.o.burstTimeout()}); err != nil {
				return err
			}
			t0 := time.Now()
			r.srv.broadcast(seq, r.o.burstSize)
			seq = total
			replies, err := r.ws.await("reached", r.o.burstTimeout()+30*time.Second)
			if err != nil {
				return err
			}
			cpu1 = cpuMark{server: cpuNow(), clients: clientCPU(replies)}
			ok, last := true, int64(0)
			for _, rp := range replies {
				ok = ok && rp.OK
				last = max(last, rp.LastNs)
			}
			if !ok {
				r.res.problem("burst %d: not every stream received its %d events (streams ended, or %v passed)", b+1, r.o.burstSize, r.o.burstTimeout())
				break
			}
			busy += time.Duration(last - t0.UnixNano())
			delivered += streams * int64(r.o.burstSize)
			time.Sleep(50 * time.Millisecond)
		}
	} else {
		rate := r.o.fanoutRate()
		count := max(int(rate*r.o.duration.Seconds()), 1)
		t0 := time.Now()
		end := t0.Add(r.o.duration + time.Second)
		for seq < count && time.Now().Before(end) {
			due := min(int(time.Since(t0).Seconds()*rate)+1, count)
			if due > seq {
				r.srv.broadcast(seq, due-seq)
				seq = due
			}
			next := t0.Add(time.Duration(float64(seq) / rate * float64(time.Second)))
			time.Sleep(max(time.Until(next), 200*time.Microsecond))
		}
		if err := r.ws.sendAll(command{Cmd: "wait", Total: int64(seq), Timeout: 10 * time.Second}); err != nil {
			return err
		}
		replies, err := r.ws.await("reached", time.Minute)
		if err != nil {
			return err
		}
		cpu1 = cpuMark{server: cpuNow(), clients: clientCPU(replies)}
		last := int64(0)
		for _, rp := range replies {
			last = max(last, rp.LastNs)
		}
		busy = time.Duration(last - t0.UnixNano())
	}
	r.prof.stop()
	if err := r.ws.sendAll(command{Cmd: "quiesce"}); err != nil {
		return err
	}
	if _, err := r.ws.await("quiesced", time.Minute); err != nil {
		return err
	}
	t, err := r.stopStreams()
	if err != nil {
		return err
	}
	if !bursts {
		delivered = t.Events
	}
	expected := streams * int64(seq)
	lost := max(expected-t.Events, 0)
	r.res.set("events_per_stream", float64(seq))
	r.res.set("deliveries", float64(t.Events))
	if busy > 0 {
		r.res.set("deliveries_per_s", float64(delivered)/busy.Seconds())
	}
	r.setLatency("", &t.Latency)
	if delivered > 0 && cpu1.server > 0 {
		r.res.set("server_cpu_us_per_delivery", float64(cpu1.server-r.cpu0.server)/1e3/float64(delivered))
		r.res.set("client_cpu_us_per_delivery", float64(cpu1.clients-r.cpu0.clients)/1e3/float64(delivered))
	}
	r.res.set("lost", float64(lost))
	r.res.set("slow_disconnects", float64(t.Done["slow consumer"]))
	errs := t.ConnectErrors + t.StreamErrors + doneErrors(t)
	r.res.set("errors", float64(errs))
	if lost > 0 {
		r.res.problem("%d of %d events lost", lost, expected)
	}
	if t.Events > expected {
		r.res.problem("%d events received, %d expected", t.Events, expected)
	}
	if errs > 0 {
		r.res.problem("%d errors (connect %d, stream %d, done %v)", errs, t.ConnectErrors, t.StreamErrors, t.Done)
	}
	return nil
}

// cpuMark is CPU time used so far by the server's process (which also
// runs this coordinator, a negligible share) and by all worker processes.
type cpuMark struct{ server, clients int64 }

func clientCPU(replies []reply) int64 {
	var sum int64
	for _, rp := range replies {
		sum += rp.CPUNs
	}
	return sum
}

// churn connects and disconnects at a rate; the server's goroutines must
// come back to where they were.
func (r *run) churn() error {
	g0 := settledGoroutines(-1, 0)
	m0 := memNow()
	rate := r.o.churnRate()
	// -n caps the number of cycles, -duration caps the time.
	cycles := min(float64(r.o.n), rate*r.o.duration.Seconds())
	dur := time.Duration(cycles / rate * float64(time.Second))
	jobs := r.jobs(0, rate)
	for i := range jobs {
		jobs[i].Duration = dur
	}
	if err := r.startWorkers(jobs); err != nil {
		return err
	}
	if _, err := r.ws.await("ready", time.Minute); err != nil {
		return err
	}
	if err := r.ws.sendAll(command{Cmd: "go"}); err != nil {
		return err
	}
	finals, err := r.ws.await("final", dur+time.Minute)
	if err != nil {
		return err
	}
	t := r.sum(finals)
	r.ws.close()
	r.ws = nil
	// Let the server notice the disconnects, then count.
	for wait := time.Now().Add(10 * time.Second); r.srv.active() > 0 && time.Now().Before(wait); {
		time.Sleep(10 * time.Millisecond)
	}
	g1 := settledGoroutines(g0, 10*time.Second)
	m1 := memNow()
	r.res.set("connects", float64(t.Connects))
	if t.ElapsedNs > 0 {
		r.res.set("connects_per_s", float64(t.Connects)/(float64(t.ElapsedNs)/1e9))
	}
	r.setLatency("connect_", &t.Latency)
	r.res.set("errors", float64(t.ConnectErrors))
	r.res.set("goroutines_before", float64(g0))
	r.res.set("goroutines_after", float64(g1))
	r.res.set("leaked_goroutines", float64(max(g1-g0, 0)))
	r.res.set("heap_growth_kb", (float64(m1.heap)-float64(m0.heap))/1024)
	r.res.set("streams_left", float64(r.srv.active()))
	if t.ConnectErrors > 0 {
		r.res.problem("%d connect errors", t.ConnectErrors)
	}
	if g1 > g0 {
		r.res.problem("%d goroutines leaked", g1-g0)
	}
	if a := r.srv.active(); a > 0 {
		r.res.problem("%d streams still open on the server", a)
	}
	return nil
}

// settledGoroutines polls the goroutine count until it is at most target
// (or, with target < 0, until it stops changing), for at most d.
func settledGoroutines(target int, d time.Duration) int {
	if target < 0 {
		prev := runtime.NumGoroutine()
		for range 50 {
			time.Sleep(20 * time.Millisecond)
			n := runtime.NumGoroutine()
			if n == prev {
				return n
			}
			prev = n
		}
		return prev
	}
	n := runtime.NumGoroutine()
	for until := time.Now().Add(d); n > target && time.Now().Before(until); n = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	return n
}

// handler measures requests/s of the hello-world handler with keep-alive
// clients in the workers.
func (r *run) handler() error {
	if err := r.startWorkers(r.jobs(r.o.n, 0)); err != nil {
		return err
	}
	if _, err := r.ws.await("ready", time.Minute); err != nil {
		return err
	}
	if err := r.ws.sendAll(command{Cmd: "go"}); err != nil {
		return err
	}
	finals, err := r.ws.await("final", r.o.duration+time.Minute)
	if err != nil {
		return err
	}
	t := r.sum(finals)
	r.res.set("clients", float64(r.o.n))
	r.res.set("requests", float64(t.Requests))
	if t.ElapsedNs > 0 {
		r.res.set("requests_per_s", float64(t.Requests)/(float64(t.ElapsedNs)/1e9))
	}
	r.setLatency("", &t.Latency)
	errs := t.BadResponses + t.ConnectErrors
	r.res.set("errors", float64(errs))
	if errs > 0 {
		r.res.problem("%d errors (%d bad responses, %d connect errors)", errs, t.BadResponses, t.ConnectErrors)
	}
	if t.Requests == 0 {
		r.res.problem("no requests completed")
	}
	return nil
}

// ---------------------------------------------------------------------

type mem struct{ heap, stack, rss uint64 }

// memNow collects garbage, returns freed memory to the OS, and reads heap
// and stack in use (runtime.MemStats) and the process RSS.
func memNow() mem {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := mem{heap: ms.HeapInuse, stack: ms.StackInuse}
	data, _ := os.ReadFile("/proc/self/status")
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				m.rss = kb << 10
			}
		}
	}
	return m
}
