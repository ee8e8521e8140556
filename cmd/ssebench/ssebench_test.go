package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as the worker and the isolated-run child: the
// tool re-executes os.Executable(), which under `go test` is this binary.
func TestMain(m *testing.M) {
	if code, ok := subprocessMain(); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// runTool runs the tool with args plus -json and returns the parsed result.
// Timings are never checked; counts and errors are.
func runTool(t *testing.T, args ...string) *resultFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "result.json")
	var out, errOut bytes.Buffer
	code := cli(append(args, "-json", path), &out, &errOut)
	t.Logf("ssebench %s\n%s%s", strings.Join(args, " "), out.String(), errOut.String())
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	f, err := readResultFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Scenarios) == 0 {
		t.Fatal("no scenarios in the result")
	}
	return f
}

// medians returns the median metrics of every target of the only scenario,
// checking that both targets ran.
func medians(t *testing.T, f *resultFile, scenario string) map[string]map[string]float64 {
	t.Helper()
	if len(f.Scenarios) != 1 || f.Scenarios[0].Scenario != scenario {
		t.Fatalf("want one %s scenario, got %+v", scenario, f.Scenarios)
	}
	s := f.Scenarios[0]
	if !s.OK {
		t.Fatalf("scenario not ok: %+v", s.Targets)
	}
	m := map[string]map[string]float64{}
	for _, tr := range s.Targets {
		if len(tr.Runs) == 0 {
			t.Fatalf("%s: no runs", tr.Target)
		}
		m[tr.Target] = tr.Median
	}
	for _, target := range []string{targetLuahost, targetBaseline} {
		if m[target] == nil {
			t.Fatalf("target %s missing", target)
		}
	}
	if _, ok := s.Ratios["errors"]; ok && m[targetBaseline]["errors"] == 0 {
		t.Fatal("ratio of a zero baseline")
	}
	return m
}

func wantEq(t *testing.T, target, name string, m map[string]float64, want float64) {
	t.Helper()
	if got, ok := m[name]; !ok || got != want {
		t.Errorf("%s %s = %v (present %v), want %v", target, name, got, ok, want)
	}
}

func wantPositive(t *testing.T, target, name string, m map[string]float64) {
	t.Helper()
	if m[name] <= 0 {
		t.Errorf("%s %s = %v, want > 0", target, name, m[name])
	}
}

func TestIdle(t *testing.T) {
	f := runTool(t, "-scenario", "idle", "-compare", "-n", "50", "-duration", "1500ms", "-heartbeat", "500ms")
	for target, m := range medians(t, f, scenarioIdle) {
		wantEq(t, target, "streams", m, 50)
		wantEq(t, target, "server_streams", m, 50)
		wantEq(t, target, "errors", m, 0)
		wantEq(t, target, "done_at_shutdown", m, 50)
		wantPositive(t, target, "pings_per_stream", m)
		for _, k := range []string{"rss_per_stream_b", "heap_per_stream_b", "goroutines_per_stream", "shutdown_s"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: %s missing", target, k)
			}
		}
	}
}

func TestFanoutBursts(t *testing.T) {
	f := runTool(t, "-scenario", "fanout", "-compare", "-n", "50", "-bursts", "3", "-burst-size", "20")
	if f.Scenarios[0].Mode != "bursts" {
		t.Errorf("mode %q", f.Scenarios[0].Mode)
	}
	for target, m := range medians(t, f, scenarioFanout) {
		wantEq(t, target, "streams", m, 50)
		wantEq(t, target, "events_per_stream", m, 60)
		wantEq(t, target, "deliveries", m, 50*60)
		wantEq(t, target, "lost", m, 0)
		wantEq(t, target, "slow_disconnects", m, 0)
		wantEq(t, target, "errors", m, 0)
		wantPositive(t, target, "deliveries_per_s", m)
		wantPositive(t, target, "server_cpu_us_per_delivery", m)
		wantPositive(t, target, "client_cpu_us_per_delivery", m)
		if m["p99_ms"] < m["p50_ms"] || m["max_ms"] < m["p99_ms"] {
			t.Errorf("%s: percentiles out of order: %v", target, m)
		}
	}
}

func TestFanoutRate(t *testing.T) {
	f := runTool(t, "-scenario", "fanout", "-compare", "-n", "50", "-rate", "20", "-duration", "1s")
	if f.Scenarios[0].Mode != "rate" {
		t.Errorf("mode %q", f.Scenarios[0].Mode)
	}
	for target, m := range medians(t, f, scenarioFanout) {
		wantEq(t, target, "events_per_stream", m, 20)
		wantEq(t, target, "deliveries", m, 50*20)
		wantEq(t, target, "lost", m, 0)
		wantEq(t, target, "errors", m, 0)
	}
}

func TestChurn(t *testing.T) {
	// Up to 100 cycles at 200/s within 2 s. How many fit depends on the
	// machine's load, so only "some, with no errors or leaks" is checked.
	f := runTool(t, "-scenario", "churn", "-compare", "-n", "100", "-rate", "200", "-duration", "2s")
	for target, m := range medians(t, f, scenarioChurn) {
		wantPositive(t, target, "connects", m)
		if m["connects"] > 100 {
			t.Errorf("%s: %v connects, more than -n 100", target, m["connects"])
		}
		wantEq(t, target, "errors", m, 0)
		wantEq(t, target, "leaked_goroutines", m, 0)
		wantEq(t, target, "streams_left", m, 0)
	}
}

func TestHandler(t *testing.T) {
	f := runTool(t, "-scenario", "handler", "-compare", "-n", "8", "-duration", "1s")
	for target, m := range medians(t, f, scenarioHandler) {
		wantEq(t, target, "clients", m, 8)
		wantEq(t, target, "errors", m, 0)
		wantPositive(t, target, "requests", m)
		wantPositive(t, target, "requests_per_s", m)
	}
}

// TestInProcess runs the servers inside the test process (so the race
// detector sees them here) and takes the median of two runs.
func TestInProcess(t *testing.T) {
	f := runTool(t, "-scenario", "fanout", "-target", "luahost", "-in-process", "-runs", "2", "-n", "20", "-bursts", "2", "-burst-size", "5")
	s := f.Scenarios[0]
	if len(s.Targets) != 1 || len(s.Targets[0].Runs) != 2 || s.Ratios != nil {
		t.Fatalf("want one target with two runs and no ratios: %+v", s)
	}
	wantEq(t, "luahost", "deliveries", s.Targets[0].Median, 20*10)
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "nope"}, {"-target", "nginx"}, {"-n", "0"}, {"-duration", "-1s"},
		{"-workers", "1000"}, {"extra"}, {"-chart", "x.png"},
	} {
		var out, errOut bytes.Buffer
		if code := cli(args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit code %d, want 2 (%s)", args, code, errOut.String())
		}
	}
}

func TestChart(t *testing.T) {
	dir := t.TempDir()
	file := newResultFile("test")
	for _, n := range []int{1000, 5000, 10000, 19000} {
		for _, mode := range []string{"bursts", "rate"} {
			s := scenarioResult{Scenario: scenarioFanout, Mode: mode, N: n, Params: map[string]string{"rate": "1"}}
			for target, scale := range map[string]float64{targetLuahost: 2, targetBaseline: 1} {
				s.Targets = append(s.Targets, targetResult{Target: target, Median: map[string]float64{
					"deliveries_per_s": scale * 60000 * (1 + float64(n)/20000),
					"p99_ms":           scale * float64(n) / 1000,
				}})
			}
			file.Scenarios = append(file.Scenarios, s)
		}
	}
	in := filepath.Join(dir, "fanout.json")
	if err := writeJSON(in, file); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "chart.png")
	var stdout, stderr bytes.Buffer
	if code := cli([]string{"-chart", out, "-chart-from", filepath.Join(dir, "*.json")}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	fh, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(bufio.NewReader(fh))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != chartW || b.Dy() != chartH {
		t.Fatalf("size %v", b)
	}
	// Both series are drawn.
	found := map[string]bool{}
	for y := 0; y < chartH; y++ {
		for x := 0; x < chartW; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			for name, c := range targetColors {
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(b>>8) == c.B {
					found[name] = true
				}
			}
		}
	}
	if !found[targetLuahost] || !found[targetBaseline] {
		t.Errorf("series colours found: %v", found)
	}
	// No fan-out results: an error, not an empty chart.
	empty := filepath.Join(dir, "empty.json")
	if err := writeJSON(empty, newResultFile("test")); err != nil {
		t.Fatal(err)
	}
	if code := cli([]string{"-chart", out, "-chart-from", empty}, &stdout, &stderr); code != 1 {
		t.Errorf("empty input: exit %d", code)
	}
}

func TestHistogram(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Microsecond)
	}
	d := h.snapshot()
	var other histogram
	other.add(time.Second)
	d.merge(other.snapshot())
	if d.Count != 1001 || d.MaxNs != int64(time.Second) {
		t.Fatalf("count %d max %d", d.Count, d.MaxNs)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}} {
		got := time.Duration(d.quantile(c.q))
		if got < c.want*96/100 || got > c.want*104/100 {
			t.Errorf("q%.2f = %v, want about %v", c.q, got, c.want)
		}
	}
	if got := d.quantile(1); got != int64(time.Second) {
		t.Errorf("q1 = %d", got)
	}
	for _, v := range []int64{0, 1, 31, 32, 33, 1000, 123456789, 1 << 62} {
		i := histIndex(v)
		if mid := histValue(i); histIndex(mid) != i {
			t.Errorf("bucket %d of %d: middle %d falls in bucket %d", i, v, mid, histIndex(mid))
		}
	}
	var empty histData
	if empty.quantile(0.5) != 0 {
		t.Error("empty quantile")
	}
}

func TestSSEReader(t *testing.T) {
	stream := ": ping\n\n" +
		"event: sse.message\ndata: {\"welcome\":true}\n\n" +
		"retry: 100\n\n" +
		"event: sse.message\ndata: {\"i\":1,\"t\":1712345678901234400}\n\n" +
		"event: done\ndata: {\"reason\":\"slow consumer\"}\n\n"
	r := &sseReader{br: bufio.NewReader(strings.NewReader(stream))}
	var got []string
	for {
		ev, err := r.next()
		if err != nil {
			break
		}
		got = append(got, ev.name+" "+string(ev.data))
	}
	want := []string{": ", `sse.message {"welcome":true}`, "message ", `sse.message {"i":1,"t":1712345678901234400}`, `done {"reason":"slow consumer"}`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if v, ok := stampOf([]byte(`{"i":1,"t":1712345678901234400}`)); !ok || v != 1712345678901234400 {
		t.Errorf("stampOf = %d %v", v, ok)
	}
	if _, ok := stampOf([]byte(`{"welcome":true}`)); ok {
		t.Error("stampOf without t")
	}
	if r := reasonOf([]byte(`{"reason":"server shutting down"}`)); r != "server shutting down" {
		t.Errorf("reasonOf = %q", r)
	}
}

func TestGlyphs(t *testing.T) {
	for r, g := range glyphs {
		for _, row := range g {
			if len(row) != glyphW || strings.Trim(row, "#.") != "" {
				t.Errorf("glyph %q: bad row %q", r, row)
			}
		}
	}
	if w := textWidth("ab", 2); w != (2*(glyphW+glyphGap)-glyphGap)*2 {
		t.Errorf("textWidth = %d", w)
	}
}

func TestResultJSON(t *testing.T) {
	s := scenarioResult{Scenario: scenarioFanout, Targets: []targetResult{
		{Target: targetLuahost, Runs: []runResult{{Metrics: map[string]float64{"x": 3}}, {Metrics: map[string]float64{"x": 1}}, {Metrics: map[string]float64{"x": 2}}}},
		{Target: targetBaseline, Runs: []runResult{{Metrics: map[string]float64{"x": 4}}}},
	}}
	s.finish()
	if !s.OK || s.Targets[0].Median["x"] != 2 || s.Ratios["x"] != 0.5 {
		t.Fatalf("%+v", s)
	}
	s.Targets[1].Runs[0].Problems = []string{"lost events"}
	s.finish()
	if s.OK {
		t.Error("a run with problems must fail the scenario")
	}
	data, err := json.Marshal(s)
	if err != nil || !json.Valid(data) {
		t.Fatal(err)
	}
}
