-- wrk: GET a random existing customer. IDS_FILE holds one id per line, TOKEN a bearer token.
local ids = {}
local token = os.getenv("TOKEN")
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
math.randomseed(os.time())

request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/api/crm/customers/" .. id, { ["Authorization"] = "Bearer " .. token })
end

local bad = 0
response = function(status)
  if status ~= 200 then bad = bad + 1 end
end

done = function(summary)
  io.write(string.format("non-200 answers: %d\n", summary.errors.status))
end
