package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Hot reload with bad input on disk (SPEC 10, 11.5): half-written files,
// deleted scripts, missing files and bursts of saves never make the host
// serve a half-built generation, and never crash it.

// appendFile appends content to a file (the rest of a slow save).
func (r *rldApp) appendFile(name, content string) {
	r.t.Helper()
	f, err := os.OpenFile(filepath.Join(r.dir, name), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := f.WriteString(content); err != nil {
		r.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		r.t.Fatal(err)
	}
}

func TestReloadWatchHalfWrittenFiles(t *testing.T) {
	base := handlerEntries("h", "GET", "/v", "h.lua", "http")
	withTwo := base + handlerEntries("two", "GET", "/two", "h.lua", "http")
	r := rldStart(t, base, map[string]string{"h.lua": rldText("v1")}, true)
	n := r.reloads()

	// A script saved in two halves with a pause (longer than the debounce)
	// in between: the first half is rejected, the whole one served.
	full := rldText("v2")
	cut := strings.Index(full, "write(") + 3
	fails := r.failures()
	r.writeInPlace("h.lua", full[:cut])
	eventually(t, 5*time.Second, "the half-written script to be rejected", func() bool { return r.failures() > fails })
	r.expect("/v", "v1")
	r.appendFile("h.lua", full[cut:])
	r.waitServed("/v", "v2", "v1")

	// The same for the registry: cut in the middle of the new endpoint's
	// kind, the registry is invalid and nothing of it is served.
	reg := rldRegistry(withTwo)
	cut = strings.LastIndex(reg, "kind: http.endpoint") + len("kind: http.end")
	fails = r.failures()
	r.writeInPlace("registry.yaml", reg[:cut])
	eventually(t, 5*time.Second, "the half-written registry to be rejected", func() bool { return r.failures() > fails })
	r.expect("/v", "v2")
	if code, _ := r.get("/two"); code != 404 {
		t.Fatalf("/two served from a half-written registry: %d", code)
	}
	r.appendFile("registry.yaml", reg[cut:])
	r.waitStatus("/two", 200)
	r.expect("/two", "v2")
	// The "reloaded" line is logged just after the swap that serves /two.
	eventually(t, 5*time.Second, "the second reload to be logged", func() bool { return r.reloads()-n >= 2 })
	if got := r.reloads() - n; got != 2 {
		t.Fatalf("%d successful reloads, want 2 (the complete saves only)", got)
	}
}

func TestReloadWatchDeletedScript(t *testing.T) {
	r := rldStart(t, handlerEntries("h", "GET", "/v", "h.lua", "http"), map[string]string{"h.lua": rldText("v1")}, true)
	n := r.reloads()
	r.remove("h.lua")
	// Reported where the registry references it.
	r.waitLog("the missing script to be logged", "reload failed", "registry.yaml:", "h.lua: file not found")

	for range 3 {
		r.expect("/v", "v1") // the compiled old code keeps serving
	}
	if r.reloads() != n {
		t.Fatalf("a generation without its script was swapped in:\n%s", r.logs)
	}
	r.writeInPlace("h.lua", rldText("v2"))
	r.waitServed("/v", "v2", "v1")

	// Removing a file nothing references is harmless.
	r.writeInPlace("unused.lua", rldText("x"))
	n = r.reloads()
	r.remove("unused.lua")
	r.waitReloads(n, "the reload after removing an unused script")
	r.expect("/v", "v2")
}

func TestReloadWatchRegistryReferencesMissingFile(t *testing.T) {
	base := handlerEntries("h", "GET", "/v", "h.lua", "http")
	withMissing := base + handlerEntries("two", "GET", "/two", "missing.lua", "http")
	r := rldStart(t, base, map[string]string{"h.lua": rldText("v1")}, true)
	n := r.reloads()
	r.writeInPlace("registry.yaml", rldRegistry(withMissing))
	r.waitLog("the missing file to be logged", "reload failed", "missing.lua")
	r.expect("/v", "v1")
	if code, _ := r.get("/two"); code != 404 {
		t.Fatalf("/two served without its script: %d", code)
	}
	if r.reloads() != n {
		t.Fatalf("a generation without its script was swapped in:\n%s", r.logs)
	}
	// Creating the file completes the application.
	r.writeInPlace("missing.lua", rldText("two"))
	r.waitStatus("/two", 200)
	r.expect("/two", "two")
	r.expect("/v", "v1")
}

// 20 saves within 50 ms (in place, rename-over, slow half-then-rest, to a
// script and to the registry) while a client keeps requesting: every answer
// is one of the saved versions, in order, and the last one wins.
func TestReloadWatchBurstOfSaves(t *testing.T) {
	entries := handlerEntries("h", "GET", "/v", "h.lua", "http")
	r := rldStart(t, entries, map[string]string{"h.lua": rldText("v0")}, true)
	n, fails := r.reloads(), r.failures()

	versions := map[string]int{}
	for i := range 21 {
		versions[fmt.Sprintf("v%d", i)] = i
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var bad []string
	var mu sync.Mutex
	client := rldClient(t)
	wg.Go(func() {
		last := 0
		for ctx.Err() == nil {
			code, body, err := rldFetch(ctx, client, r.base+"/v")
			if ctx.Err() != nil {
				return
			}
			v, ok := versions[body]
			if err != nil || code != 200 || !ok || v < last {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("%d %q %v (after v%d)", code, body, err, last))
				mu.Unlock()
				continue
			}
			last = v
		}
	})

	start := time.Now()
	for i := 1; i <= 20; i++ {
		content := rldText(fmt.Sprintf("v%d", i))
		switch i % 4 {
		case 0:
			r.writeInPlace("h.lua", content)
		case 1:
			r.writeRename("h.lua", content)
		case 2:
			r.writeInPlace("h.lua", content[:len(content)/2])
			r.appendFile("h.lua", content[len(content)/2:])
		case 3:
			r.writeInPlace("h.lua", content)
			r.writeInPlace("registry.yaml", rldRegistry(entries)+fmt.Sprintf("# save %d\n", i))
		}
		time.Sleep(2 * time.Millisecond) // an editor's pause between saves
	}
	burst := time.Since(start)
	r.waitServed("/v", "v20", rldKeys(versions)...)
	r.waitReloads(n, "the reload after the burst")
	cancel()
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d bad answers during the burst, e.g. %v", len(bad), bad[:min(5, len(bad))])
	}
	if burst < 100*time.Millisecond {
		// The whole burst fell inside one debounce period: one reload.
		if got := r.reloads() - n; got != 1 || r.failures() != fails {
			t.Fatalf("burst of %v: %d reloads, %d failures; want 1 and 0:\n%s", burst, got, r.failures()-fails, r.logs)
		}
	} else {
		t.Logf("burst took %v: not checking that it was one reload", burst)
	}
}

func rldKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
