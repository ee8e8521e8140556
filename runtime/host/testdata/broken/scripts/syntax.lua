return {handler = function()
  local x = = 1
end}
