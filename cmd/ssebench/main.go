// Command ssebench is a load tool for luahost's SSE relay and handlers.
//
// Every run executes in a fresh child process (this binary re-executed;
// -in-process keeps it in this one) that starts the server under test
// in-process — luahost from a generated registry, or a plain net/http
// baseline with the same wire format — so that it can read the server's
// memory and goroutines. The clients live in worker processes (this binary
// again, at most -per-worker connections each) that bind their connections
// to 127.0.0.2, 127.0.0.3, ... so that tens of thousands of loopback
// connections do not run out of ephemeral ports. Traffic stays on loopback,
// every loop is bounded in count and time, and every process stops by
// itself.
//
// Scenarios:
//
//	idle     hold -n streams with heartbeats for -duration; server RSS,
//	         heap and goroutines per stream, shutdown time
//	fanout   one Lua process (the room) broadcasts to -n streams: -bursts K
//	         bursts of -burst-size events as fast as possible, or -rate
//	         events/s for -duration; deliveries/s, publish->receive
//	         latency, lost events, slow-consumer disconnects
//	churn    connect/disconnect at -rate per second for -duration (at most
//	         -n cycles); errors and leaked server goroutines
//	handler  -n keep-alive clients call a hello-world handler for
//	         -duration; requests/s and latency
//	all      each of the above in turn
//
// Examples:
//
//	go run ./cmd/ssebench -scenario fanout -n 5000 -bursts 10 -compare
//	go run ./cmd/ssebench -scenario idle -n 19000 -duration 30s -json idle.json
//	go run ./cmd/ssebench -chart chart.png -chart-from 'results/*.json'
//
// -server-log prints luahost's warnings, -cpuprofile PREFIX writes a CPU
// profile of the server process of every run, and SSEBENCH_DEBUG=1 in the
// environment traces the messages between the tool and its workers.
//
// The exit status is 1 when a run found problems (errors, lost events,
// leaks), 2 on bad usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

type options struct {
	scenario   string
	n          int
	duration   time.Duration
	rate       float64
	bursts     int
	burstSize  int
	workers    int
	perWorker  int
	target     string
	compare    bool
	runs       int
	jsonPath   string
	heartbeat  time.Duration
	srcIPs     int
	quiet      bool
	inProcess  bool
	serverLog  bool
	cpuProfile string
	chart      string
	chartFrom  string
	set        map[string]bool // flags given on the command line
}

const maxStreamsPerWorker = 5000

func main() {
	if code, ok := subprocessMain(); ok {
		os.Exit(code)
	}
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

// subprocessMain runs this process as a worker or as a single isolated run
// when the parent asked for one; ok is false for a normal start.
func subprocessMain() (code int, ok bool) {
	switch {
	case os.Getenv(workerEnv) != "":
		return workerMain(), true
	case os.Getenv(runEnv) != "":
		return runChildMain(os.Args[1:]), true
	}
	return 0, false
}

func cli(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "ssebench:", err)
		return 2
	}
	if o.chart != "" {
		if err := drawChartFiles(o.chart, o.chartFrom); err != nil {
			fmt.Fprintln(stderr, "ssebench:", err)
			return 1
		}
		fmt.Fprintln(stdout, "wrote", o.chart)
		return 0
	}
	file := runAll(o, strings.Join(append([]string{"ssebench"}, args...), " "), stdout)
	if o.jsonPath != "" {
		if err := writeJSON(o.jsonPath, file); err != nil {
			fmt.Fprintln(stderr, "ssebench:", err)
			return 1
		}
	}
	for _, s := range file.Scenarios {
		if !s.OK {
			return 1
		}
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("ssebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.scenario, "scenario", scenarioFanout, "idle, fanout, churn, handler, or all")
	fs.IntVar(&o.n, "n", 1000, "streams (idle, fanout), keep-alive clients (handler, default 64), or the cap on connect cycles (churn)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "hold time (idle), broadcast time at -rate (fanout), run time (churn, handler)")
	fs.Float64Var(&o.rate, "rate", 0, "fanout: events/s broadcast when -bursts is 0 (default 10); churn: connects/s (default 500)")
	fs.IntVar(&o.bursts, "bursts", 0, "fanout: number of bursts (0: broadcast at -rate for -duration)")
	fs.IntVar(&o.burstSize, "burst-size", 50, "fanout: events per burst")
	fs.IntVar(&o.workers, "workers", 0, "client worker processes (0: enough for -per-worker, at least 2)")
	fs.IntVar(&o.perWorker, "per-worker", maxStreamsPerWorker, "most connections per worker process")
	fs.StringVar(&o.target, "target", targetLuahost, "luahost or baseline")
	fs.BoolVar(&o.compare, "compare", false, "run both targets in this invocation and print luahost/baseline ratios")
	fs.IntVar(&o.runs, "runs", 1, "runs per target; the summary is the median")
	fs.StringVar(&o.jsonPath, "json", "", "write the machine-readable result to this file")
	fs.DurationVar(&o.heartbeat, "heartbeat", 30*time.Second, "heartbeat interval of every stream, as in X-SSE-Relay (0s disables)")
	fs.IntVar(&o.srcIPs, "src-ips", 16, "source addresses 127.0.0.2 ... to spread the client connections over (0: let the kernel choose)")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the summary")
	fs.BoolVar(&o.inProcess, "in-process", false, "run every server in this process instead of a fresh child process per run (memory and goroutine figures then carry over between runs)")
	fs.BoolVar(&o.serverLog, "server-log", false, "print luahost's warnings and errors (log/slog) to stderr")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the server process of every run to PREFIX-SCENARIO-TARGET-RUN.pprof")
	fs.StringVar(&o.chart, "chart", "", "draw a PNG chart of fan-out results to this file instead of running")
	fs.StringVar(&o.chartFrom, "chart-from", "", "comma-separated result files or globs for -chart")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if o.chart != "" {
		if o.chartFrom == "" {
			return nil, errors.New("-chart needs -chart-from")
		}
		return o, nil
	}
	if o.scenario != "all" && !slices.Contains(allScenarios, o.scenario) {
		return nil, fmt.Errorf("unknown -scenario %q (want idle, fanout, churn, handler or all)", o.scenario)
	}
	if o.target != targetLuahost && o.target != targetBaseline {
		return nil, fmt.Errorf("unknown -target %q (want luahost or baseline)", o.target)
	}
	switch {
	case o.n < 1 || o.n > 100000:
		return nil, errors.New("-n must be between 1 and 100000")
	case o.duration <= 0 || o.duration > time.Hour:
		return nil, errors.New("-duration must be positive and at most 1h")
	case o.rate < 0 || o.rate > 1e6 || math.IsNaN(o.rate):
		return nil, errors.New("-rate must be between 0 and 1e6")
	case o.bursts < 0 || o.bursts > 10000:
		return nil, errors.New("-bursts must be between 0 and 10000")
	case o.burstSize < 1 || o.burstSize > 100000:
		return nil, errors.New("-burst-size must be between 1 and 100000")
	case o.workers < 0 || o.workers > 64:
		return nil, errors.New("-workers must be between 0 and 64")
	case o.perWorker < 1 || o.perWorker > 19000:
		return nil, errors.New("-per-worker must be between 1 and 19000")
	case o.runs < 1 || o.runs > 20:
		return nil, errors.New("-runs must be between 1 and 20")
	case o.heartbeat < 0:
		return nil, errors.New("-heartbeat must not be negative")
	case o.srcIPs < 0 || o.srcIPs > 250:
		return nil, errors.New("-src-ips must be between 0 and 250")
	}
	return o, nil
}

// forScenario returns the options as scenario uses them (handler defaults
// to 64 clients unless -n was given).
func (o *options) forScenario(scenario string) *options {
	c := *o
	c.scenario = scenario
	if scenario == scenarioHandler && !o.set["n"] {
		c.n = 64
	}
	return &c
}

func (o *options) fanoutRate() float64 {
	if o.rate > 0 {
		return o.rate
	}
	return 10
}

func (o *options) churnRate() float64 {
	if o.rate > 0 {
		return o.rate
	}
	return 500
}

// burstTimeout is how long the streams may take to receive one burst: 30 s
// plus a second per 10,000 deliveries.
func (o *options) burstTimeout() time.Duration {
	secs := min(30+float64(o.n)*float64(o.burstSize)/10000, 3600)
	return time.Duration(secs * float64(time.Second))
}

func (o *options) workerCount(scenario string) int {
	w := o.workers
	if w == 0 {
		w = 2
	}
	if scenario == scenarioIdle || scenario == scenarioFanout {
		w = max(w, (o.n+o.perWorker-1)/o.perWorker)
		w = min(w, o.n)
	}
	if scenario == scenarioHandler {
		w = min(w, o.n)
	}
	return max(w, 1)
}

// budget is the longest one run may take; every worker exits by then.
func (o *options) budget(scenario string) time.Duration {
	open := time.Minute + time.Duration(o.n)*5*time.Millisecond
	switch scenario {
	case scenarioFanout:
		if o.bursts > 0 {
			return open + time.Duration(o.bursts)*(o.burstTimeout()+30*time.Second) + time.Minute
		}
		return open + o.duration + 2*time.Minute
	default:
		return open + o.duration + 2*time.Minute
	}
}

// runAll runs the requested scenarios and targets and prints a summary
// per scenario.
func runAll(o *options, command string, out io.Writer) *resultFile {
	file := newResultFile(command)
	scenarios := []string{o.scenario}
	if o.scenario == "all" {
		scenarios = allScenarios
	}
	targets := []string{o.target}
	if o.compare {
		targets = []string{targetLuahost, targetBaseline}
	}
	for _, sc := range scenarios {
		so := o.forScenario(sc)
		res := newScenarioResult(so, targets, command)
		for i := 0; i < so.runs; i++ {
			for ti, t := range targets {
				if !so.quiet {
					fmt.Fprintf(out, "%s n=%d target=%s run %d/%d ...\n", sc, so.n, t, i+1, so.runs)
				}
				start := time.Now()
				prof := ""
				if so.cpuProfile != "" {
					prof = fmt.Sprintf("%s-%s-%s-%d.pprof", strings.TrimSuffix(so.cpuProfile, ".pprof"), sc, t, i+1)
				}
				var rr runResult
				if so.inProcess {
					rr = runProfiled(so, sc, t, prof)
				} else {
					rr = runChild(so, sc, t, prof)
				}
				if !so.quiet {
					fmt.Fprintf(out, "  done in %.1fs: %s\n", time.Since(start).Seconds(), brief(sc, rr))
				}
				for _, p := range rr.Problems {
					fmt.Fprintf(out, "  PROBLEM (%s %s run %d): %s\n", sc, t, i+1, p)
				}
				res.Targets[ti].Runs = append(res.Targets[ti].Runs, rr)
			}
		}
		res.finish()
		printSummary(out, res)
		file.Scenarios = append(file.Scenarios, res)
	}
	return file
}
