package tests

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"
)

// procPrelude is put at the top of every script written by procApp. It
// gives handlers and processes the same small toolbox:
//
//	recv(timeout)        next inbox message, or nil when timeout (default 5s) passes
//	next_event(timeout)  next event table, or nil on timeout
//	errt(err)            {kind=..., message=...} of an error object (nil for nil)
//	ask(dest, topic, ...) sends and returns the data of the first payload of the reply
//	wait_until(f, timeout) polls f() every 2ms until it is truthy; returns the truthy value or nil
const procPrelude = `local time = require("time")
local json = require("json")
local function recv(timeout)
  local inbox = process.inbox()
  local r = channel.select{inbox:case_receive(), time.after(timeout or "5s"):case_receive()}
  if r.channel == inbox and r.ok then return r.value end
  return nil
end
local function next_event(timeout)
  local evs = process.events()
  local r = channel.select{evs:case_receive(), time.after(timeout or "5s"):case_receive()}
  if r.channel == evs and r.ok then return r.value end
  return nil
end
local function errt(err)
  if err == nil then return nil end
  return {kind = err:kind(), message = err:message()}
end
local function ask(dest, topic, ...)
  local ok, err = process.send(dest, topic, ...)
  if not ok then return nil, err end
  local m = recv()
  if m == nil then return nil, "no reply" end
  local p = m:payload()
  if p == nil then return nil end
  if type(p) == "table" then return p[1]:data() end
  return p:data()
end
local function wait_until(f, timeout)
  local deadline = time.now():unix_nano() + (timeout or 5e9)
  while true do
    local v = f()
    if v then return v end
    if time.now():unix_nano() > deadline then return nil end
    time.sleep("2ms")
  end
end
`

// procApp boots an app with a process.host named "processes", one
// process.lua entry per procs key (value: body of `main(...)`, which runs
// after procPrelude), one GET handler per handlers key (value: body of the
// handler function, served at "/"+name), and any extra registry entries.
func procApp(t *testing.T, procs, handlers map[string]string, extra string) *app {
	t.Helper()
	var entries strings.Builder
	entries.WriteString(`
  - name: processes
    kind: process.host
`)
	files := map[string]string{}
	for _, name := range sortedKeys(procs) {
		file := "p_" + name + ".lua"
		entries.WriteString(`
  - name: ` + name + `
    kind: process.lua
    source: file://` + file + `
    method: main
    modules: [json, time]
`)
		files[file] = procPrelude + "return {main = function(...)\n" + procs[name] + "\nend}\n"
	}
	for _, name := range sortedKeys(handlers) {
		file := "h_" + name + ".lua"
		entries.WriteString(handlerEntries(name, "GET", "/"+name, file, "http, json, time"))
		files[file] = procPrelude + "local http = require('http')\nreturn {handler = function()\n" + handlers[name] + "\nend}\n"
	}
	entries.WriteString(extra)
	return startApp(t, entries.String(), files)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// want GETs path and requires status 200 and exactly body want.
func (a *app) want(path, want string) {
	a.t.Helper()
	code, body := a.get(path)
	if code != 200 || body != want {
		a.t.Fatalf("GET %s:\n got: %d %s\nwant: 200 %s", path, code, body, want)
	}
}

// echoProc answers every message with topic "re:"+topic and the same
// payloads, sent back to the sender; topic "stop" ends it with result
// "stopped".
const echoProc = `
while true do
  local m = process.inbox():receive()
  if m:topic() == "stop" then return "stopped" end
  local p = m:payload()
  if p == nil then
    process.send(m:from(), "re:" .. m:topic())
  elseif type(p) == "table" then
    local vals = {}
    for i, x in ipairs(p) do vals[i] = x:data() end
    process.send(m:from(), "re:" .. m:topic(), unpack(vals, 1, #p))
  else
    process.send(m:from(), "re:" .. m:topic(), p:data())
  end
end`

// getJSON GETs path, requires status 200 and decodes the JSON body into v.
func (a *app) getJSON(path string, v any) string {
	a.t.Helper()
	code, body := a.get(path)
	if code != 200 {
		a.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		a.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
	return body
}

// procLine is the line number, in a script written by procApp, of line k
// (1-based) of a process or handler body.
func procLine(k int) int { return strings.Count(procPrelude, "\n") + 1 + k }

// poll GETs path until done(body) holds, and returns that body; it fails
// the test with the last body when d passes first.
func (a *app) poll(path string, d time.Duration, done func(body string) bool) string {
	a.t.Helper()
	deadline := time.Now().Add(d)
	for {
		code, body := a.get(path)
		if code == 200 && done(body) {
			return body
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("GET %s: still %d %s after %v", path, code, body, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
