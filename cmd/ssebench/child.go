package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"time"
)

// Each run executes in a fresh child process (this binary with runEnv
// set), so that the server's memory, goroutine and GC figures start from
// the same clean state for every run and every target.

const runEnv = "SSEBENCH_RUN"

const resultPrefix = "SSEBENCH-RESULT "

// childArgs are the flags that reproduce o for one run of scenario
// against target.
func childArgs(o *options, scenario, target string) []string {
	return []string{
		"-scenario", scenario, "-target", target,
		"-n", strconv.Itoa(o.n),
		"-duration", o.duration.String(),
		"-rate", strconv.FormatFloat(o.rate, 'g', -1, 64),
		"-bursts", strconv.Itoa(o.bursts),
		"-burst-size", strconv.Itoa(o.burstSize),
		"-workers", strconv.Itoa(o.workers),
		"-per-worker", strconv.Itoa(o.perWorker),
		"-heartbeat", o.heartbeat.String(),
		"-src-ips", strconv.Itoa(o.srcIPs),
	}
}

// runChild runs one scenario run in a child process and returns its result.
func runChild(o *options, scenario, target, profile string) runResult {
	exe, err := os.Executable()
	if err != nil {
		return failed("executable: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.budget(scenario)+time.Minute)
	defer cancel()
	args := childArgs(o, scenario, target)
	if profile != "" {
		args = append(args, "-cpuprofile", profile)
	}
	if o.serverLog {
		args = append(args, "-server-log")
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), runEnv+"=1")
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = 10 * time.Second
	// The child watches its stdin: when this process goes away the pipe
	// closes and the child exits (and its workers with it).
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return failed("stdin: %v", err)
	}
	defer stdin.Close()
	out, err := cmd.Output()
	for line := range bytes.SplitSeq(out, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(resultPrefix)); ok {
			var rr runResult
			if jerr := json.Unmarshal(rest, &rr); jerr != nil {
				return failed("child result: %v", jerr)
			}
			if err != nil {
				rr.problem("child process: %v", err)
			}
			return rr
		}
	}
	if ctx.Err() != nil {
		return failed("child process timed out after %v", o.budget(scenario)+time.Minute)
	}
	return failed("child process gave no result: %v", err)
}

// runProfiled is runScenario with an optional CPU profile of this process
// (the one running the server) written to profile. For fanout the profile
// covers the fan-out only (from the moment every stream is open), so that
// connection setup does not hide where delivery costs go; for the other
// scenarios it covers the whole run.
func runProfiled(o *options, scenario, target, profile string) runResult {
	if profile == "" {
		return runScenario(o, scenario, target, nil)
	}
	f, err := os.Create(profile)
	if err != nil {
		return failed("cpu profile: %v", err)
	}
	defer f.Close()
	p := &phaseProfile{w: f}
	defer p.stop()
	return runScenario(o, scenario, target, p)
}

// phaseProfile starts the CPU profile when a scenario's measured phase
// begins; nil profiles nothing.
type phaseProfile struct {
	w  io.Writer
	on bool
}

func (p *phaseProfile) start() {
	if p != nil && !p.on {
		p.on = pprof.StartCPUProfile(p.w) == nil
	}
}

func (p *phaseProfile) stop() {
	if p != nil && p.on {
		pprof.StopCPUProfile()
		p.on = false
	}
}

func failed(format string, args ...any) runResult {
	r := runResult{Metrics: map[string]float64{}}
	r.problem(format, args...)
	return r
}

// runChildMain is the child side: parse the flags, run once, print the
// result as one line.
func runChildMain(args []string) int {
	o, err := parseFlags(args, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ssebench run:", err)
		return 2
	}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		fmt.Fprintln(os.Stderr, "ssebench run: the parent process went away")
		os.Exit(3)
	}()
	rr := runProfiled(o, o.scenario, o.target, o.cpuProfile)
	data, err := json.Marshal(rr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ssebench run:", err)
		return 1
	}
	fmt.Printf("%s%s\n", resultPrefix, data)
	return 0
}
