return {other = function() end}
