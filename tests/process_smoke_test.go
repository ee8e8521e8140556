package tests

import "testing"

// procEntries declares a process.host and a process.lua entry.
func procEntries(name, script string, modules string) string {
	return `
  - name: processes
    kind: process.host
  - name: ` + name + `
    kind: process.lua
    source: file://` + script + `
    method: main
    modules: [` + modules + `]
`
}

func TestProcessRequestReply(t *testing.T) {
	entries := procEntries("echo", "echo.lua", "") + handlerEntries("h", "GET", "/rr", "h.lua", "http, time")
	a := startApp(t, entries, map[string]string{
		"echo.lua": `return {main = function(greeting)
  local msg = process.inbox():receive()
  local data = msg:payload():data()
  process.send(msg:from(), "reply", greeting .. " " .. data.name, process.pid())
end}`,
		"h.lua": `local http = require("http")
local time = require("time")
return {handler = function()
  local pid, err = process.spawn("echo", "processes", "hello")
  assert(pid, err and err:message())
  process.send(pid, "ask", {name = "ann"})
  local r = channel.select{process.inbox():case_receive(), time.after("5s"):case_receive()}
  local p = r.value:payload()
  return {topic = r.value:topic(), text = p[1]:data(), same = p[2]:data() == pid, from = r.value:from() == pid}
end}`,
	})
	if code, body := a.get("/rr"); code != 200 || body != `{"from":true,"same":true,"text":"hello ann","topic":"reply"}` {
		t.Fatalf("%d %s", code, body)
	}
}
