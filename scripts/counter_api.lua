-- GET /api/counter and POST /api/counter?by=N talk to the "app:counter"
-- process: the handler call is itself a process, so it can wait for a reply.
local http = require("http")
local time = require("time")

local function handler()
  local req = http.request()
  local res = http.response()
  local topic = req:method() == "POST" and "add" or "get"
  local ok, err = process.send("app:counter", topic, { by = tonumber(req:query("by") or "1"), reply_to = process.pid() })
  if not ok then
    res:set_status(http.STATUS.SERVICE_UNAVAILABLE)
    return { error = err:message() }
  end
  local r = channel.select({ process.inbox():case_receive(), time.after("2s"):case_receive() })
  if r.channel ~= process.inbox() then
    res:set_status(http.STATUS.GATEWAY_TIMEOUT)
    return { error = "counter did not answer" }
  end
  return r.value:payload():data()
end

return { handler = handler }
