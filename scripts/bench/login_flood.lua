-- wrk: POST /api/auth/login with wrong passwords, as fast as the server answers.
-- FLOOD_USER names the user (default "bench"); FLOOD_SPRAY=1 gives every request a user name
-- of its own (so that no per-user limit applies). Prints how each status was counted.
local user = os.getenv("FLOOD_USER") or "bench"
local spray = os.getenv("FLOOD_SPRAY") == "1"
local n = 0
local threads = {}
-- per-thread counters: plain numbers, which thread:get can read back in done()
c200, c401, c429, c503, cother = 0, 0, 0, 0, 0

setup = function(thread)
  table.insert(threads, thread)
end

request = function()
  n = n + 1
  local name = user
  if spray then name = user .. "-" .. n .. "-" .. math.random(1000000) end
  local body = '{"username":"' .. name .. '","password":"wrong-password-' .. n .. '"}'
  return wrk.format("POST", "/api/auth/login", { ["Content-Type"] = "application/json" }, body)
end

response = function(status)
  if status == 200 then c200 = c200 + 1
  elseif status == 401 then c401 = c401 + 1
  elseif status == 429 then c429 = c429 + 1
  elseif status == 503 then c503 = c503 + 1
  else cother = cother + 1 end
end

done = function(summary)
  local names = { "c200", "c401", "c429", "c503", "cother" }
  local total = {}
  for _, t in ipairs(threads) do
    for _, name in ipairs(names) do total[name] = (total[name] or 0) + t:get(name) end
  end
  io.write(string.format("login answers by status: 401: %d, 429: %d, 503: %d, 200: %d, other: %d\n",
    total.c401, total.c429, total.c503, total.c200, total.cother))
end
