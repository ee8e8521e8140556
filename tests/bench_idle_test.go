package tests

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkRelayIdleMemory holds LUAHOST_IDLE_STREAMS (default 2000; the
// SPEC figure is 10,000) idle relay streams, opened by a child process so
// that client memory is not counted, and reports server heap, stack and RSS
// per stream (SPEC 11.1 target: <= 16 KiB per idle stream).
//
//	LUAHOST_IDLE_STREAMS=10000 go test -run '^$' -bench RelayIdleMemory -benchtime 1x ./tests/
func BenchmarkRelayIdleMemory(b *testing.B) {
	n := envCount("LUAHOST_IDLE_STREAMS", 2000)
	h, addr := benchRelayApp(b)
	for i := 0; i < b.N; i++ {
		heap0, stack0, rss0 := memNow()
		child := exec.Command(os.Args[0], "-test.run=^TestHoldStreamsChild$", "-test.v")
		child.Env = append(os.Environ(), "LUAHOST_HOLD_ADDR="+addr, "LUAHOST_HOLD_N="+strconv.Itoa(n))
		stdin, _ := child.StdinPipe()
		out, _ := child.StdoutPipe()
		if err := child.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		ready := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), "HOLDING") {
				ready = true
				break
			}
		}
		if !ready {
			b.Fatal("child did not open its streams")
		}
		deadline := time.Now().Add(30 * time.Second)
		for h.Relay().Active() < n && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // let the streams go idle
		heap1, stack1, rss1 := memNow()
		b.ReportMetric(float64(heap1-heap0)/float64(n), "heap-B/stream")
		b.ReportMetric(float64(stack1-stack0)/float64(n), "stack-B/stream")
		b.ReportMetric(float64(rss1-rss0)/float64(n), "rss-B/stream")
		b.ReportMetric(float64(h.Relay().Active()), "streams")
		if i == b.N-1 { // last round: SIGTERM-equivalent shutdown with every stream open
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := h.Shutdown(ctx); err != nil {
				b.Errorf("shutdown: %v", err)
			}
			cancel()
			b.ReportMetric(time.Since(start).Seconds(), "shutdown-s")
		}
		stdin.Close()
		_ = child.Wait()
	}
}

// TestHoldStreamsChild is the client half of BenchmarkRelayIdleMemory; it
// does nothing unless the benchmark started it.
func TestHoldStreamsChild(t *testing.T) {
	addr := os.Getenv("LUAHOST_HOLD_ADDR")
	if addr == "" {
		t.Skip("child process of BenchmarkRelayIdleMemory")
	}
	n := envCount("LUAHOST_HOLD_N", 2000)
	conns := make([]*fanClient, 0, n)
	for i := 0; i < n; i++ {
		c, err := dialStream(addr, "/sse/stream")
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	fmt.Println("HOLDING")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	for _, c := range conns {
		c.conn.Close()
	}
}

func envCount(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// memNow returns heap in use, stack in use and the process RSS in bytes.
func memNow() (heap, stack, rss uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseUint(f[1], 10, 64)
				rss = kb << 10
			}
		}
	}
	return ms.HeapInuse, ms.StackInuse, rss
}
