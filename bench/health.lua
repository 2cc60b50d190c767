-- wrk script: GET /health, the HTTP front end without the cache (pekko-http alone).
request = function() return wrk.format("GET", "/health") end
