-- wrk: POST a new WhatsApp comms entry per request, for one of the seeded customers.
-- TOKEN a bearer token, IDS_FILE the customer ids, one per line.
local token = os.getenv("TOKEN")
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local n = 0
-- each wrk thread writes its own external ids, so that every request is a new entry
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_tag", tostring(threads) .. "." .. tostring(os.time()))
end

request = function()
  n = n + 1
  local body = string.format(
    '{"customer_id":"%s","type":"whatsapp","direction":"inbound","ext_message_id":"wamid.bench.%s.%d","body":"Καλημέρα σας, η καμπάνα του ναού δεν χτυπά σωστά από χθες το απόγευμα. Μήνυμα %d"}',
    ids[n % #ids + 1], thread_tag, n, n)
  return wrk.format("POST", "/api/crm/comms",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

done = function(summary)
  io.write(string.format("non-2xx answers: %d\n", summary.errors.status))
end
