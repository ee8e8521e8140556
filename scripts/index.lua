-- GET /  serves a small page that opens an EventSource on /api/progress.
local http = require("http")

local page = [[<!doctype html>
<html><head><meta charset="utf-8"><title>luahost</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:40rem}
#log{font-family:monospace;white-space:pre;background:#f4f4f4;padding:1rem}</style></head>
<body><h1>luahost</h1>
<p>Events from <code>/api/progress</code>, streamed by a Lua handler with <code>res:write_event</code>:</p>
<progress id="bar" max="100" value="0"></progress>
<div id="log"></div>
<script>
const log = document.getElementById("log");
const es = new EventSource("/api/progress?steps=10&delay=400ms");
function show(e) { log.textContent += e.type + " " + e.data + "\n"; }
es.addEventListener("status", e => { show(e); if (JSON.parse(e.data).state === "complete") es.close(); });
es.addEventListener("progress", e => { show(e); document.getElementById("bar").value = JSON.parse(e.data).percent; });
</script></body></html>
]]

local function handler()
  local res = http.response()
  res:set_content_type("text/html; charset=utf-8")
  res:write(page)
end

return { handler = handler }
