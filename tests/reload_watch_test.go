package tests

import (
	"strings"
	"testing"
)

// Hot reload through the real file watcher (SPEC 10): edits on disk are
// served within 2 s, broken edits are logged with file:line and change
// nothing, registry edits add and remove routes without a restart.

func TestReloadWatchEditInPlace(t *testing.T) {
	r := rldStart(t, handlerEntries("h", "GET", "/v", "h.lua", "http"), map[string]string{"h.lua": rldText("v1")}, true)
	r.expect("/v", "v1")

	r.writeInPlace("h.lua", rldText("v2"))
	r.waitServed("/v", "v2", "v1")
	r.waitReloads(0, "the reload log line")
	// One line per reload: what changed and how long it took.
	line := r.lastReloadLine()
	for _, want := range []string{"added=[]", "removed=[]", "changed=[]", "scripts=[", "h.lua]", "took="} {
		if !strings.Contains(line, want) {
			t.Fatalf("reload log line lacks %q:\n%s", want, line)
		}
	}

	n := r.reloads()
	r.writeInPlace("h.lua", rldText("v3"))
	r.waitServed("/v", "v3", "v2")
	r.waitReloads(n, "the second reload")
}

func TestReloadWatchRenameOver(t *testing.T) {
	r := rldStart(t, handlerEntries("h", "GET", "/v", "h.lua", "http"), map[string]string{"h.lua": rldText("v1")}, true)
	r.writeRename("h.lua", rldText("v2"))
	r.waitServed("/v", "v2", "v1")
	// The file was replaced, not rewritten: it must still be watched.
	r.writeRename("h.lua", rldText("v3"))
	r.waitServed("/v", "v3", "v2")
	r.writeInPlace("h.lua", rldText("v4"))
	r.waitServed("/v", "v4", "v3")
}

func TestReloadWatchSyntaxError(t *testing.T) {
	r := rldStart(t, handlerEntries("h", "GET", "/v", "h.lua", "http"), map[string]string{"h.lua": rldText("v1")}, true)
	n := r.reloads()
	// Line 3 misses its closing parenthesis: the error is reported at line 4.
	r.writeInPlace("h.lua", `local http = require("http")
return {handler = function()
  http.response():write("v2"
end}
`)
	line := r.waitLog("the syntax error to be logged", "reload failed", "h.lua:4:")
	if !strings.Contains(line, "level=ERROR") {
		t.Fatalf("failure not logged as an error: %s", line)
	}
	for range 5 {
		r.expect("/v", "v1")
	}
	if r.reloads() != n {
		t.Fatalf("a broken script was swapped in:\n%s", r.logs)
	}
	// The same through an editor's rename.
	fails := r.failures()
	r.writeRename("h.lua", "return {handler = function() error('x') end\n")
	r.waitLog("the rename syntax error to be logged", "reload failed", "h.lua:1:", "at end of file")
	eventually(t, rldWithin, "the failure count", func() bool { return r.failures() > fails })
	r.expect("/v", "v1")

	// Fixing it serves the new code.
	r.writeInPlace("h.lua", rldText("v3"))
	r.waitServed("/v", "v3", "v1")
}

func TestReloadWatchRegistryEndpoints(t *testing.T) {
	base := handlerEntries("h", "GET", "/v", "h.lua", "http")
	withTwo := base + handlerEntries("two", "GET", "/two", "two.lua", "http")
	r := rldStart(t, base, map[string]string{"h.lua": rldText("v1")}, true)
	r.expect("/v", "v1")
	if code, _ := r.get("/two"); code != 404 {
		t.Fatalf("/two before it exists: %d", code)
	}

	// A new script next to the registry reloads (it may be referenced
	// next) but changes nothing that is served.
	n := r.reloads()
	r.writeInPlace("two.lua", rldText("two"))
	r.waitReloads(n, "the reload caused by a new script")

	// Add the endpoint: routable without a restart.
	n = r.reloads()
	r.writeRename("registry.yaml", rldRegistry(withTwo))
	r.waitStatus("/two", 200)
	r.expect("/two", "two")
	r.expect("/v", "v1")
	r.waitReloads(n, "the reload log line")
	if line := r.lastReloadLine(); !strings.Contains(line, `added="[app:two app:two.ep]"`) || !strings.Contains(line, "removed=[]") {
		t.Fatalf("reload log line: %s", line)
	}

	// Remove it: 404.
	n = r.reloads()
	r.writeInPlace("registry.yaml", rldRegistry(base))
	r.waitStatus("/two", 404)
	r.expect("/v", "v1")
	r.waitReloads(n, "the reload log line")
	if line := r.lastReloadLine(); !strings.Contains(line, `removed="[app:two app:two.ep]"`) || !strings.Contains(line, "added=[]") {
		t.Fatalf("reload log line: %s", line)
	}

	// Broken YAML (which would also have added /two): the old app keeps
	// serving and the error names the registry file and line.
	n = r.reloads()
	fails := r.failures()
	r.writeInPlace("registry.yaml", rldRegistry(withTwo)+"  - name: [unclosed\n")
	r.waitLog("the YAML error to be logged", "reload failed", "registry.yaml:")
	if r.failures() <= fails {
		t.Fatal("the failure was not counted")
	}
	for range 3 {
		r.expect("/v", "v1")
		if code, _ := r.get("/two"); code != 404 {
			t.Fatalf("/two served from a broken registry: %d", code)
		}
	}
	// Valid YAML, invalid registry (an endpoint of an unknown function).
	fails = r.failures()
	r.writeInPlace("registry.yaml", rldRegistry(withTwo+`
  - name: ghost.ep
    kind: http.endpoint
    meta: {router: root}
    method: GET
    path: /ghost
    func: ghost
`))
	eventually(t, rldWithin, "the invalid registry to be logged", func() bool { return r.failures() > fails })
	r.expect("/v", "v1")
	if code, _ := r.get("/two"); code != 404 {
		t.Fatalf("/two served from an invalid registry: %d", code)
	}
	if r.reloads() != n {
		t.Fatalf("a broken registry was swapped in:\n%s", r.logs)
	}

	// Fixed: served again.
	r.writeInPlace("registry.yaml", rldRegistry(withTwo))
	r.waitStatus("/two", 200)
	r.expect("/two", "two")
	r.expect("/v", "v1")
}

// A change to both the registry and a script in one save burst is one
// reload whose log line lists the changed entry and script.
func TestReloadWatchLogLine(t *testing.T) {
	r := rldStart(t, handlerEntries("h", "GET", "/v", "h.lua", "http"), map[string]string{"h.lua": rldText("v1")}, true)
	n := r.reloads()
	r.writeInPlace("h.lua", rldText("v2"))
	r.writeInPlace("registry.yaml", rldRegistry(handlerEntries("h", "GET", "/w", "h.lua", "http")))
	r.waitStatus("/w", 200)
	r.expect("/w", "v2")
	r.waitReloads(n, "the reload log line")
	line := r.lastReloadLine()
	for _, want := range []string{"level=INFO", "msg=reloaded ", "added=[]", "removed=[]", "changed=[app:h.ep]", "scripts=[", "h.lua]", "took="} {
		if !strings.Contains(line, want) {
			t.Fatalf("reload log line lacks %q:\n%s", want, line)
		}
	}
}
