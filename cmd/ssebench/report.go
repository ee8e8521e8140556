package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// resultFile is what -json writes.
type resultFile struct {
	Tool      string           `json:"tool"`
	Version   int              `json:"version"`
	Date      string           `json:"date"`
	Command   string           `json:"command"`
	GoVersion string           `json:"go_version"`
	OS        string           `json:"os"`
	Arch      string           `json:"arch"`
	CPUs      int              `json:"cpus"`
	Scenarios []scenarioResult `json:"scenarios"`
}

// scenarioResult is one scenario with every target that ran it.
type scenarioResult struct {
	Scenario string             `json:"scenario"`
	Mode     string             `json:"mode,omitempty"` // fanout: bursts or rate
	N        int                `json:"n"`
	Params   map[string]string  `json:"params"`
	Command  string             `json:"command"`
	Targets  []targetResult     `json:"targets"`
	Ratios   map[string]float64 `json:"ratios,omitempty"` // luahost / baseline of the medians
	OK       bool               `json:"ok"`
}

type targetResult struct {
	Target string             `json:"target"`
	Runs   []runResult        `json:"runs"`
	Median map[string]float64 `json:"median"`
}

func newResultFile(command string) *resultFile {
	return &resultFile{Tool: "ssebench", Version: 1, Date: time.Now().UTC().Format(time.RFC3339),
		Command: command, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		CPUs: runtime.NumCPU()}
}

func newScenarioResult(o *options, targets []string, command string) scenarioResult {
	s := scenarioResult{Scenario: o.scenario, N: o.n, Command: command, Params: map[string]string{
		"duration":  o.duration.String(),
		"heartbeat": o.heartbeat.String(),
		"workers":   fmt.Sprint(o.workerCount(o.scenario)),
		"runs":      fmt.Sprint(o.runs),
		"src_ips":   fmt.Sprint(o.srcIPs),
	}}
	switch o.scenario {
	case scenarioFanout:
		if o.bursts > 0 {
			s.Mode = "bursts"
			delete(s.Params, "duration") // bursts are counted, not timed
			s.Params["bursts"] = fmt.Sprint(o.bursts)
			s.Params["burst_size"] = fmt.Sprint(o.burstSize)
		} else {
			s.Mode = "rate"
			s.Params["rate"] = fmt.Sprint(o.fanoutRate())
		}
	case scenarioChurn:
		s.Params["rate"] = fmt.Sprint(o.churnRate())
	}
	for _, t := range targets {
		s.Targets = append(s.Targets, targetResult{Target: t})
	}
	return s
}

// finish computes medians, ratios and the verdict.
func (s *scenarioResult) finish() {
	s.OK = true
	for i := range s.Targets {
		t := &s.Targets[i]
		t.Median = map[string]float64{}
		names := map[string]bool{}
		for _, r := range t.Runs {
			if len(r.Problems) > 0 {
				s.OK = false
			}
			for k := range r.Metrics {
				names[k] = true
			}
		}
		for k := range names {
			var vals []float64
			for _, r := range t.Runs {
				if v, ok := r.Metrics[k]; ok {
					vals = append(vals, v)
				}
			}
			t.Median[k] = median(vals)
		}
	}
	l, b := s.target(targetLuahost), s.target(targetBaseline)
	if l != nil && b != nil {
		s.Ratios = map[string]float64{}
		for k, lv := range l.Median {
			if bv, ok := b.Median[k]; ok && bv != 0 {
				s.Ratios[k] = lv / bv
			}
		}
	}
}

func (s *scenarioResult) target(name string) *targetResult {
	for i := range s.Targets {
		if s.Targets[i].Target == name {
			return &s.Targets[i]
		}
	}
	return nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// metricOrder lists, per scenario, the metrics the summary shows.
var metricOrder = map[string][]string{
	scenarioIdle: {"streams", "server_streams", "rss_per_stream_b", "heap_per_stream_b", "stack_per_stream_b",
		"goroutines_per_stream", "server_rss_mb", "pings_per_stream", "errors", "shutdown_s", "done_at_shutdown"},
	scenarioFanout: {"streams", "events_per_stream", "deliveries", "deliveries_per_s", "p50_ms", "p99_ms", "max_ms",
		"server_cpu_us_per_delivery", "client_cpu_us_per_delivery",
		"lost", "slow_disconnects", "errors"},
	scenarioChurn: {"connects", "connects_per_s", "connect_p50_ms", "connect_p99_ms", "connect_max_ms", "errors",
		"goroutines_before", "goroutines_after", "leaked_goroutines", "heap_growth_kb", "streams_left"},
	scenarioHandler: {"clients", "requests", "requests_per_s", "p50_ms", "p99_ms", "max_ms", "errors"},
}

// brief is the one-line progress report of a run.
func brief(scenario string, r runResult) string {
	keys := map[string][]string{
		scenarioIdle:    {"streams", "rss_per_stream_b", "goroutines_per_stream", "errors"},
		scenarioFanout:  {"streams", "deliveries_per_s", "p99_ms", "lost", "errors"},
		scenarioChurn:   {"connects", "errors", "leaked_goroutines"},
		scenarioHandler: {"requests_per_s", "p99_ms", "errors"},
	}[scenario]
	var parts []string
	for _, k := range keys {
		if v, ok := r.Metrics[k]; ok {
			parts = append(parts, k+"="+formatNum(v))
		}
	}
	return strings.Join(parts, " ")
}

func formatNum(v float64) string {
	switch a := max(v, -v); {
	case a == 0:
		return "0"
	case a >= 1000 || (v == math.Trunc(v) && a < 1e15):
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.3f", v)
	default:
		return fmt.Sprintf("%.2g", v)
	}
}

func printSummary(out io.Writer, s scenarioResult) {
	title := fmt.Sprintf("== %s n=%d", s.Scenario, s.N)
	if s.Mode != "" {
		title += " mode=" + s.Mode
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range s.Params {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		title += " " + k + "=" + s.Params[k]
	}
	fmt.Fprintln(out, title)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "metric\t"
	for _, t := range s.Targets {
		header += t.Target + "\t"
	}
	if s.Ratios != nil {
		header += "ratio\t"
	}
	fmt.Fprintln(tw, header)
	for _, k := range metricOrder[s.Scenario] {
		line, any := k+"\t", false
		for _, t := range s.Targets {
			if v, ok := t.Median[k]; ok {
				line += formatNum(v) + "\t"
				any = true
			} else {
				line += "-\t"
			}
		}
		if s.Ratios != nil {
			if v, ok := s.Ratios[k]; ok {
				line += fmt.Sprintf("%.2f\t", v)
			} else {
				line += "-\t"
			}
		}
		if any {
			fmt.Fprintln(tw, line)
		}
	}
	tw.Flush()
	verdict := "ok"
	if !s.OK {
		verdict = "PROBLEMS (see above)"
	}
	fmt.Fprintf(out, "result: %s\n\n", verdict)
}

func writeJSON(path string, f *resultFile) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func readResultFile(path string) (*resultFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f resultFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Tool != "ssebench" {
		return nil, fmt.Errorf("%s: not an ssebench result", path)
	}
	return &f, nil
}
