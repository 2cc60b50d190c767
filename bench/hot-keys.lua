-- wrk script: GET /proxy?key=key:<12 digits> over 10,000 keys, as redis-benchmark -r 10000 names them.
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", string.format("/proxy?key=key:%012d", counter % 10000))
end
