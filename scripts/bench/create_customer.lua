-- wrk: POST a new customer per request. TOKEN a bearer token.
local token = os.getenv("TOKEN")
local n = 0
local first = { "Γιώργος", "Μαρία", "Νικόλαος", "Ελένη", "Ιωάννης", "Αικατερίνη" }
local last = { "Παπαδόπουλος", "Μπίμπης", "Οικονόμου", "Γεωργίου", "Δημητρίου" }

request = function()
  n = n + 1
  local body = string.format(
    '{"name":"%s %s","organization":"Ιερός Ναός Αγίου Νικολάου","contacts":[{"type":"phone","value":"69%08d"},{"type":"email","value":"bench%d@example.gr"}],"tags":["bench"]}',
    first[n % #first + 1], last[n % #last + 1], n % 100000000, n)
  return wrk.format("POST", "/api/crm/customers",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

done = function(summary)
  io.write(string.format("non-2xx answers: %d\n", summary.errors.status))
end
