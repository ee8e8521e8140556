-- GET /sse/room?user=NAME   managed stream attached to the room
-- GET /sse/detached         detached stream (attach it later with POST /api/attach)
-- The handler writes nothing: it sets X-SSE-Relay and the sse_relay
-- middleware turns the connection into a stream process.
local http = require("http")
local json = require("json")

local function handler()
  local req = http.request()
  local res = http.response()
  local config = { message_topic = "*", heartbeat_interval = "15s", retry = 2000 }
  if req:path() == "/sse/room" then
    local room, err = process.registry.lookup("app:room")
    if not room then
      res:set_status(http.STATUS.SERVICE_UNAVAILABLE)
      res:write("room unavailable: " .. err:message())
      return
    end
    config.target_pid = room
    config.metadata = { user = req:query("user") or "anonymous" }
  end
  res:set_header("X-SSE-Relay", json.encode(config))
end

return { handler = handler }
