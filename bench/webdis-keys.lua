-- wrk script: Webdis's GET /GET/key:<12 digits> over 10,000 keys, the same keys and order as
-- hot-keys.lua asks the proxy for (and as redis-benchmark -r 10000 names them).
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", string.format("/GET/key:%012d", counter % 10000))
end
