local x = nil
local y = x.field
return {main = function() end}
