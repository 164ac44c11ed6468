-- stats.lua - wrk script used by the bench: one JSON line with the request
-- count, errors and latency percentiles (microseconds) when the run ends.
--
--   WRK_PATHS="/metrics,/"  paths requested in turn (default: the URL's path)
--   WRK_DELAY_MS=10         pause before each request of a connection, for a
--                           steady paced load instead of a closed loop
local paths = {}
for p in string.gmatch(os.getenv("WRK_PATHS") or "", "[^,]+") do
	paths[#paths + 1] = p
end
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0") or 0
local n = 0

if #paths > 0 then
	request = function()
		n = n + 1
		return wrk.format("GET", paths[(n % #paths) + 1])
	end
end

if delay_ms > 0 then
	delay = function()
		return delay_ms
	end
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
		'"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"lat_mean_us":%.1f,"lat_max_us":%d,' ..
		'"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d}\n',
		summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
		latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99),
		latency:percentile(99.9)))
end
