-- wrk script for bench/api_bench.py: one scenario, configured by environment.
--
--   BENCH_METHOD   GET or POST (default GET)
--   BENCH_PATH     request path with query string
--   BENCH_BODY     request body (POST)
--   BENCH_HEADERS  "Name: value" lines separated by "\n"
--   BENCH_FOLLOW   "1": follow the "next" link of each page; after the last
--                  page, start again at BENCH_PATH
--
-- done() prints one JSON line with the counts and latency percentiles that
-- api_bench.py reads (wrk itself only counts non-2xx/3xx).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.path = os.getenv("BENCH_PATH") or "/"
wrk.body = os.getenv("BENCH_BODY")
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
   local name, value = string.match(line, "^([^:]+):%s*(.*)$")
   if name then wrk.headers[name] = value end
end

local follow = os.getenv("BENCH_FOLLOW") == "1"
local first = wrk.path
local nxt = nil
local pages = 0

function init(args)
   status_2xx, status_other, status_5xx = 0, 0, 0
   pages_done = 0
end

if follow then
   function request()
      return wrk.format(nil, nxt or first)
   end
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      status_2xx = status_2xx + 1
   else
      status_other = status_other + 1
      if status >= 500 then status_5xx = status_5xx + 1 end
   end
   if follow then
      -- The link is absolute (http://host:port/v1/offers?...): keep the path.
      local link = body and string.match(body, '"next": *"https?://[^/"]+([^"]*)"')
      if link then
         nxt = link
      else
         nxt = nil
         pages_done = pages_done + 1
      end
   end
end

function done(summary, latency, requests)
   local ok, other, fives, walks = 0, 0, 0, 0
   for _, t in ipairs(threads) do
      ok = ok + t:get("status_2xx")
      other = other + t:get("status_other")
      fives = fives + t:get("status_5xx")
      walks = walks + t:get("pages_done")
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "status_2xx": %d, ' ..
      '"non_2xx": %d, "status_5xx": %d, "socket_errors": %d, ' ..
      '"full_walks": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
      '"max_us": %d}\n',
      summary.requests, summary.duration, ok, other, fives,
      e.connect + e.read + e.write + e.timeout, walks,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max))
end
