-- POST /api/say     body {"user": "...", "text": "..."}
-- POST /api/attach?stream=PID&user=NAME
local http = require("http")

local function say(req, res)
  local body, err = req:body_json()
  if not body or type(body.text) ~= "string" or body.text == "" then
    res:set_status(http.STATUS.BAD_REQUEST)
    return { error = err and err:message() or "want a JSON body with a non-empty text" }
  end
  local ok, serr = process.send("app:room", "say", { user = body.user, text = body.text })
  if not ok then
    res:set_status(http.STATUS.SERVICE_UNAVAILABLE)
    return { error = serr:message() }
  end
  return { ok = true }
end

local function attach(req, res)
  local stream = req:query("stream")
  local room = process.registry.lookup("app:room")
  if not stream or not room then
    res:set_status(http.STATUS.BAD_REQUEST)
    return { error = "want ?stream=PID, and a running room" }
  end
  local ok, err = process.send(stream, "sse.control", { target_pid = room, metadata = { user = req:query("user") or "detached" } })
  if not ok then
    res:set_status(http.STATUS.BAD_REQUEST)
    return { error = err:message() }
  end
  return { ok = true }
end

local function handler()
  local req = http.request()
  local res = http.response()
  if req:path() == "/api/attach" then
    return attach(req, res)
  end
  return say(req, res)
end

return { handler = handler }
