-- The chat room: a process registered as "app:room" (a process.service).
-- Relay streams join it (sse.join / sse.leave carry the stream PID and the
-- metadata the handler set); "say" messages are broadcast to every member.
-- Streams use message_topic "*", so the topic becomes the SSE event name.
local HISTORY = 20

-- A Lua table keeps a slot for every key it ever held, also after the key
-- is set to nil (gopher-lua), and stream PIDs are never reused: copy the
-- member table now and then so a long-lived room does not grow.
local function compact(t)
  local fresh = {}
  for k, v in pairs(t) do fresh[k] = v end
  return fresh
end

local function main()
  local members = {}   -- stream pid -> user name
  local online = 0
  local removed = 0    -- keys removed from members since the last compact
  local history = {}
  local inbox = process.inbox()

  local function broadcast(topic, data)
    for pid in pairs(members) do
      process.send(pid, topic, data)
    end
  end

  while true do
    local msg = inbox:receive()
    local topic = msg:topic()
    local data = msg:payload() and msg:payload():data() or {}
    if topic == "sse.join" then
      local user = (data.metadata and data.metadata.user) or "anonymous"
      if not members[data.client_pid] then online = online + 1 end
      members[data.client_pid] = user
      for _, m in ipairs(history) do            -- catch the newcomer up
        process.send(data.client_pid, "chat", m)
      end
      broadcast("presence", { user = user, event = "joined", online = online })
    elseif topic == "sse.leave" then
      local user = members[data.client_pid]
      if user then
        members[data.client_pid] = nil
        online = online - 1
        removed = removed + 1
        if removed > 1000 + 2 * online then
          members, removed = compact(members), 0
        end
        broadcast("presence", { user = user, event = "left", online = online })
      end
    elseif topic == "say" then
      local m = { user = tostring(data.user or "anonymous"), text = tostring(data.text or ""), at = os.time() }
      history[#history + 1] = m
      if #history > HISTORY then table.remove(history, 1) end
      broadcast("chat", m)
    end
  end
end

return { main = main }
