-- A library: entries that list it under `imports:` load it with require("util").
local json = require("json")

local util = {}

-- greeting builds the hello endpoint's reply.
function util.greeting(greeting, name)
  return { message = greeting .. ", " .. name .. "!", name = name }
end

-- pretty returns v as deterministic (sorted-key) JSON.
function util.pretty(v)
  return json.encode(v)
end

return util
