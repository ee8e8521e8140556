-- GET /api/progress?steps=5&delay=300ms
-- Streams Server-Sent Events directly from the handler. Try:
--   curl -N 'http://127.0.0.1:8080/api/progress?steps=5&delay=500ms'
local http = require("http")
local time = require("time")

local function handler()
  local req = http.request()
  local res = http.response()
  local steps = tonumber(req:query("steps") or "5") or 5
  local delay = req:query("delay") or "300ms"

  res:write_event({ name = "status", data = { state = "started", steps = steps } })
  for i = 1, steps do
    time.sleep(delay)
    local err = res:write_event({ name = "progress", id = tostring(i),
                                  data = { step = i, percent = math.floor(i * 100 / steps) } })
    if err then return end -- the client went away
  end
  res:write_event({ name = "status", data = { state = "complete" } })
end

return { handler = handler }
