package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckExampleRegistry(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"check", "../../registry.yaml"}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "ok") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
}

func TestCheckReportsEveryError(t *testing.T) {
	dir := t.TempDir()
	reg := write(t, dir, "registry.yaml", `version: "1.0"
namespace: app
entries:
  - name: f
    kind: function.lua
    source: file://bad.lua
    method: handler
  - name: g
    kind: function.lua
    source: file://worse.lua
    method: handler
  - name: ep
    kind: http.endpoint
    meta: {router: nowhere}
    method: GET
    path: /x
    func: f
`)
	write(t, dir, "bad.lua", "return {handler = function()\n  local x = \nend}\n")
	write(t, dir, "worse.lua", "return {handler = function() end}\n")
	var out, errb bytes.Buffer
	code := run([]string{"check", reg}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	msg := errb.String()
	if !strings.Contains(msg, "registry.yaml:14: app:ep:") || !strings.Contains(msg, "nowhere") {
		t.Fatalf("missing dangling reference error with file:line:\n%s", msg)
	}
	if strings.Contains(msg, "goroutine") || strings.Contains(msg, "panic") {
		t.Fatalf("stack trace printed:\n%s", msg)
	}
}

func TestCheckScriptSyntaxError(t *testing.T) {
	dir := t.TempDir()
	reg := write(t, dir, "registry.yaml", `version: "1.0"
namespace: app
entries:
  - name: f
    kind: function.lua
    source: file://bad.lua
    method: handler
`)
	write(t, dir, "bad.lua", "return {handler = function()\n  local x = = 1\nend}\n")
	var out, errb bytes.Buffer
	if code := run([]string{"check", reg}, &out, &errb); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errb.String(), "bad.lua:2: app:f: ") {
		t.Fatalf("want bad.lua:2 with entry id, got:\n%s", errb.String())
	}
}

func TestRunFailsOnBrokenRegistry(t *testing.T) {
	dir := t.TempDir()
	reg := write(t, dir, "registry.yaml", "entries: [\n")
	var out, errb bytes.Buffer
	if code := run([]string{"run", reg}, &out, &errb); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errb.String(), "registry.yaml:") {
		t.Fatalf("stderr %s", errb.String())
	}
}

func TestUsageAndVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "luahost ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
	if code := run([]string{"run", "--log-level", "loud", "x.yaml"}, &out, &errb); code != 2 {
		t.Fatalf("bad log level exit %d", code)
	}
	if code := run([]string{"check", "a.yaml", "b.yaml"}, &out, &errb); code != 2 {
		t.Fatalf("two registries exit %d", code)
	}
}
