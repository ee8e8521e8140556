-- POST /api/echo with a JSON body: returns the body and some request facts.
-- Returning a value (instead of writing) sends it as JSON with status 200.
local http = require("http")

local function handler()
  local req = http.request({ max_body = 64 * 1024 })
  local body, err = req:body_json()
  if err then
    local res = http.response()
    res:set_status(http.STATUS.BAD_REQUEST)
    res:write_json({ error = err:message(), kind = err:kind() })
    return
  end
  return {
    method = req:method(),
    path = req:path(),
    content_type = req:content_type(),
    body = body,
  }
end

return { handler = handler }
