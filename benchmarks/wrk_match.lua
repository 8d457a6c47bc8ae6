-- wrk script of match_bench.py: POST /match with the benchmark's pre-built bodies, in turn.
-- Arguments after `--`: the file of JSON bodies (one per line), the bearer token, and "close" to send
-- `Connection: close` (a new connection per request, as match_bench.py explains).
local requests, sent = {}, 0

function init(args)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. args[2]}
  if args[3] == "close" then
    headers["Connection"] = "close"
  end
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("POST", "/match", headers, line)
  end
end

function request()
  sent = sent % #requests + 1
  return requests[sent]
end

-- One JSON line that match_bench.py reads: answers counted, the run's duration, and every failure (an answer
-- other than 2xx/3xx, or a connection that failed), which the benchmark refuses.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
