package tests

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rldVersionProc is the body of a process that answers every message with
// its version and PID; with register it first registers under the name it
// is given as its argument.
func rldVersionProc(version string, register bool) string {
	reg := ""
	if register {
		reg = "process.registry.register((...))\n"
	}
	return reg + `while true do
  local m = process.inbox():receive()
  process.send(m:from(), "ver", {v = "` + version + `", pid = tostring(process.pid())})
end`
}

// rldStateQuery defines q(name): the version and PID of the process
// registered as name, or nil. It waits briefly: during a restart the name
// may still point at the process being stopped, which never answers.
const rldStateQuery = `local function q(name)
  local pid = process.registry.lookup(name)
  if not pid or not process.send(pid, "ver") then return nil end
  local m = recv("300ms")
  return m and m:payload():data()
end
`

type rldVer struct {
	V   string `json:"v"`
	PID string `json:"pid"`
}

type rldState struct {
	A, B, W, W2 *rldVer
}

func (s rldState) String() string {
	f := func(v *rldVer) string {
		if v == nil {
			return "-"
		}
		return v.V + "@" + v.PID
	}
	return "a=" + f(s.A) + " b=" + f(s.B) + " w=" + f(s.W) + " w2=" + f(s.W2)
}

// state asks each process for its version and PID.
func (r *rldApp) state() rldState {
	r.t.Helper()
	var s rldState
	r.getJSON("/state", &s)
	return s
}

// waitState polls /state until cond holds.
func (r *rldApp) waitState(what string, cond func(rldState) bool) rldState {
	r.t.Helper()
	var s rldState
	deadline := time.Now().Add(10 * time.Second)
	for {
		s = r.state()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; last state %v", what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A process.service whose script changes is restarted on the new code;
// the other service and a running Lua process keep their PIDs (and the
// running process its code).
func TestReloadRestartsChangedService(t *testing.T) {
	a := procApp(t, map[string]string{
		"svc_a":  rldVersionProc("a1", false),
		"svc_b":  rldVersionProc("b1", false),
		"worker": rldVersionProc("w1", true),
	}, map[string]string{
		"state": rldStateQuery + `return {a = q("app:a"), b = q("app:b"), w = q("worker"), w2 = q("worker2")}`,
		"spawn": `process.spawn("worker", "processes", http.request():query("name"))
return {ok = true}`,
		"ping": `return {ok = 1}`,
	}, serviceEntry("a", "svc_a", "", "")+serviceEntry("b", "svc_b", "", ""))
	r := &rldApp{app: a, dir: filepath.Dir(a.h.Generation().Reg.Root)}
	if err := a.h.Watch(); err != nil {
		t.Fatal(err)
	}
	a.want("/spawn?name=worker", `{"ok":true}`)
	s0 := r.waitState("both services and the worker", func(s rldState) bool { return s.A != nil && s.B != nil && s.W != nil })
	if s0.A.V != "a1" || s0.B.V != "b1" || s0.W.V != "w1" {
		t.Fatalf("initial state %v", s0)
	}

	// Change service a's script.
	n := r.reloads()
	r.writeInPlace("p_svc_a.lua", procPrelude+"return {main = function(...)\n"+rldVersionProc("a2", false)+"\nend}\n")
	s1 := r.waitState("service a on the new code", func(s rldState) bool { return s.A != nil && s.A.V == "a2" })
	if s1.A.PID == s0.A.PID {
		t.Fatalf("service a runs a2 under its old PID: %v", s1)
	}
	if *s1.B != *s0.B || *s1.W != *s0.W {
		t.Fatalf("untouched processes changed: before %v, after %v", s0, s1)
	}
	r.waitReloads(n, "the reload log line")
	if line := r.lastReloadLine(); !strings.Contains(line, "restarted=[app:a]") || !strings.Contains(line, "p_svc_a.lua]") {
		t.Fatalf("reload log line: %s", line)
	}

	// Change the worker's script: the running worker keeps its code (it
	// has not exited) and no service restarts.
	n = r.reloads()
	r.writeRename("p_worker.lua", procPrelude+"return {main = function(...)\n"+rldVersionProc("w2", true)+"\nend}\n")
	r.waitReloads(n, "the reload of the worker's script")
	if line := r.lastReloadLine(); !strings.Contains(line, "restarted=[]") {
		t.Fatalf("reload log line: %s", line)
	}
	if s2 := r.state(); *s2.A != *s1.A || *s2.B != *s1.B || *s2.W != *s1.W {
		t.Fatalf("processes changed by a script they do not run: before %v, after %v", s1, s2)
	}
	// A worker spawned now runs the new code.
	a.want("/spawn?name=worker2", `{"ok":true}`)
	if s := r.waitState("the new worker", func(s rldState) bool { return s.W2 != nil }); s.W2.V != "w2" || s.W.V != "w1" {
		t.Fatalf("after spawning a second worker: %v", s)
	}

	// Change a handler's script: no process is touched.
	n = r.reloads()
	r.writeInPlace("h_ping.lua", procPrelude+"local http = require('http')\nreturn {handler = function()\nreturn {ok = 2}\nend}\n")
	r.waitServed("/ping", `{"ok":2}`, `{"ok":1}`)
	r.waitReloads(n, "the reload of a handler's script")
	if s3 := r.state(); *s3.A != *s1.A || *s3.B != *s1.B || *s3.W != *s1.W {
		t.Fatalf("processes changed by a handler edit: before %v, after %v", s1, s3)
	}
}

// A service is restarted when a library it imports changes (here in a
// subdirectory, which the watcher must watch too); a service that does not
// import it keeps running.
func TestReloadLibraryChangeRestartsImporter(t *testing.T) {
	svc := func(imports bool) string {
		v := `"plain"`
		if imports {
			v = `require("ver").v`
		}
		return `return {main = function()
  while true do
    local m = process.inbox():receive()
    process.send(m:from(), "ver", {v = ` + v + `, pid = tostring(process.pid())})
  end
end}
`
	}
	entries := `
  - name: processes
    kind: process.host
  - name: ver
    kind: library.lua
    source: file://lib/ver.lua
  - name: uses_lib
    kind: process.lua
    source: file://uses_lib.lua
    method: main
    imports: {ver: ver}
  - name: no_lib
    kind: process.lua
    source: file://no_lib.lua
    method: main
` + serviceEntry("a", "uses_lib", "", "") + serviceEntry("b", "no_lib", "", "") +
		handlerEntries("state", "GET", "/state", "state.lua", "http, json, time")
	r := rldStart(t, entries, map[string]string{
		"lib/ver.lua":  `return {v = "L1"}`,
		"uses_lib.lua": svc(true),
		"no_lib.lua":   svc(false),
		"state.lua": procPrelude + `return {handler = function()
` + rldStateQuery + `  return {a = q("app:a"), b = q("app:b")}
end}
`,
	}, true)
	s0 := r.waitState("both services", func(s rldState) bool { return s.A != nil && s.B != nil })
	if s0.A.V != "L1" || s0.B.V != "plain" {
		t.Fatalf("initial state %v", s0)
	}
	n := r.reloads()
	r.writeRename("lib/ver.lua", `return {v = "L2"}`)
	s1 := r.waitState("service a on the new library", func(s rldState) bool { return s.A != nil && s.A.V == "L2" })
	if s1.A.PID == s0.A.PID || *s1.B != *s0.B {
		t.Fatalf("before %v, after %v", s0, s1)
	}
	r.waitReloads(n, "the reload log line")
	if line := r.lastReloadLine(); !strings.Contains(line, "restarted=[app:a]") {
		t.Fatalf("reload log line: %s", line)
	}
}
