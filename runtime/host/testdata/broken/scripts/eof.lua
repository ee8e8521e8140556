return {handler = function()
  if true then
