package tests

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rlCycle opens a detached stream, reads its ready event and disconnects.
func rlCycle(client *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "event: ready\n" {
		return fmt.Errorf("first line %q: %v", line, err)
	}
	return nil
}

func rlSettle() (int, uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

// SPEC 11.2: 10,000 stream connect/disconnect cycles (8 at a time, a new
// connection each) leave no stream, goroutine or heap behind.
func TestRelayConnectDisconnectLeak(t *testing.T) {
	a := newRelayApp(t, "")
	url := a.base + rlURL(map[string]any{"metadata": map[string]any{"user": "ann"}})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	run := func(total int) {
		t.Helper()
		var next atomic.Int64
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []string
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(total) {
					if err := rlCycle(client, url); err != nil {
						mu.Lock()
						errs = append(errs, err.Error())
						mu.Unlock()
						return
					}
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d cycle errors, first: %s", len(errs), errs[0])
		}
	}
	run(200) // warm-up: pools, buffers, lazily started goroutines
	a.waitActive(0)
	baseG, baseHeap := rlSettle()

	start := time.Now()
	run(10000)
	t.Logf("10000 cycles in %v", time.Since(start))

	a.waitActive(0)
	var g int
	var heap uint64
	deadline := time.Now().Add(15 * time.Second)
	for {
		g, heap = rlSettle()
		if g <= baseG+5 && heap <= baseHeap+16<<20 && a.h.Kernel().Count() <= 2 {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			stacks := string(buf[:runtime.Stack(buf, true)])
			if len(stacks) > 8000 {
				stacks = stacks[:8000]
			}
			t.Fatalf("after 10000 cycles: goroutines %d (baseline %d), heap %s (baseline %s), processes %d\n%s",
				g, baseG, rlMiB(heap), rlMiB(baseHeap), a.h.Kernel().Count(), stacks)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("goroutines %d (baseline %d), heap %s (baseline %s)", g, baseG, rlMiB(heap), rlMiB(baseHeap))
}

func rlMiB(n uint64) string { return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20)) }
