-- A counter process. Messages:
--   "add" {by = N, reply_to = PID}   adds N and replies "value" {value = ...}
--   "get" {reply_to = PID}           replies "value" {value = ...}
-- It runs as the process.service "app:counter" (see registry.yaml).
local function main(start)
  local value = start or 0
  local inbox = process.inbox()
  while true do
    local msg = inbox:receive()
    local req = msg:payload() and msg:payload():data() or {}
    if msg:topic() == "add" then
      value = value + (tonumber(req.by) or 1)
    end
    if req.reply_to then
      process.send(req.reply_to, "value", { value = value })
    end
  end
end

return { main = main }
