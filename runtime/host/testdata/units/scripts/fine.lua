return {handler = function() end}
