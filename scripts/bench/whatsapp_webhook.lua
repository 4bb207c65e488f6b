-- wrk: POST one signed WhatsApp webhook body per request (BODY_FILE and SIGNATURE from the
-- environment). Every request is verified and stored durably before its 200.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature-256"] = os.getenv("SIGNATURE")

done = function(summary)
  io.write(string.format("non-2xx answers: %d\n", summary.errors.status))
end
