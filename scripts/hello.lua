-- GET /api/hello/{name}?greeting=Hi
local http = require("http")
local util = require("util")

local function handler()
  local req = http.request()
  local res = http.response()
  local greeting = req:query("greeting") or "Hello"
  res:set_header("X-Handler", "hello")
  res:write_json(util.greeting(greeting, req:param("name")))
end

return { handler = handler }
