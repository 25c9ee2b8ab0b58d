-- wrk script: POSTs JSON request bodies, one body file line per request, in turn, and
-- counts every reply whose status is not 2xx.
--   wrk -t1 -c64 -d20s --latency -s post.lua http://127.0.0.1:PORT/v1/models/NAME:predict -- bodies.jsonl
-- At the end it prints one line, "WRKJSON {...}", with requests/s, latency percentiles
-- (microseconds), wrk's socket errors and the non-2xx count, for bench/serve/run.py.

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    local path = args[1]
    local file = assert(io.open(path, "r"), "cannot open body file " .. tostring(path))
    requests = {}
    for line in file:lines() do
        if #line > 0 then
            table.insert(requests, wrk.format("POST", nil, {["Content-Type"] = "application/json"}, line))
        end
    end
    file:close()
    assert(#requests > 0, "no bodies in " .. path)
    index = 0
    non2xx = 0
    responses = 0
end

function request()
    index = index % #requests + 1
    return requests[index]
end

function response(status, headers, body)
    responses = responses + 1
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
        if non2xx == 1 then io.stderr:write("first non-2xx reply: " .. status .. " " .. body:sub(1, 300) .. "\n") end
    end
end

function done(summary, latency, requests)
    local bad = 0
    local replies = 0
    for _, thread in ipairs(threads) do
        bad = bad + thread:get("non2xx")
        replies = replies + thread:get("responses")
    end
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format(
        'WRKJSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "bytes": %d, ' ..
        '"p50_us": %d, "p90_us": %d, "p99_us": %d, "p999_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
        '"non2xx": %d, "replies": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
        '"timeouts": %d, "status_errors": %d}\n',
        summary.requests, seconds, summary.requests / seconds, summary.bytes,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
        latency.max, latency.mean, bad, replies, e.connect, e.read, e.write, e.timeout, e.status))
end
