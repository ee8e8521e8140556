package tests

import (
	"fmt"
	"testing"
)

// A handler's chunk result may be kept between requests on one LState
// (runtime/script/keep.go); whatever a request changes in it must still be
// invisible to the next request.
func TestModuleStateFreshPerRequest(t *testing.T) {
	src := `local http = require("http")
local json = require("json")
local cfg = {limits = {max = 3}, tags = {"a"}}
local M = {}
function M.handler()
  local req = http.request()
  local seen = json.encode({max = cfg.limits.max, tags = #cfg.tags, extra = M.extra, g = g})
  local change = req:query("change")
  if change == "nested" then cfg.limits.max = 99
  elseif change == "append" then table.insert(cfg.tags, "b")
  elseif change == "exports" then M.extra = true
  elseif change == "global" then g = 1
  elseif change == "replace" then M.handler = function() http.response():write("replaced") end
  end
  http.response():write(seen)
end
return M`
	a := startApp(t, handlerEntries("m", "GET", "/m", "m.lua", "http, json"), map[string]string{"m.lua": src})
	const fresh = `{"max":3,"tags":1}`
	for i := 0; i < 3; i++ {
		for _, change := range []string{"", "nested", "append", "exports", "global", "replace"} {
			if code, body := a.get("/m?change=" + change); code != 200 || body != fresh {
				t.Fatalf("round %d, after change %q: %d %s", i, change, code, body)
			}
		}
	}
	// Unchanged requests in a row are served alike.
	for i := 0; i < 5; i++ {
		if _, body := a.get(fmt.Sprintf("/m?n=%d", i)); body != fresh {
			t.Fatalf("request %d: %s", i, body)
		}
	}
}
