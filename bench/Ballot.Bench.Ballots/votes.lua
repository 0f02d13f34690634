-- wrk script: each thread POSTs /api/votes with its own share of the credentials file, each credential once.
--   wrk -t2 -c64 -d10s --latency -s votes.lua http://127.0.0.1:PORT -- credentials.txt 2
local idx = 0
local threads = {}
-- Every request this thread will send, made whole in init (before the clock starts): request() then only hands wrk the
-- next string, close to the static request the ceiling (ping.lua) sends, so the load generator's own CPU, on the cores
-- the API shares, is spent reading the file and not formatting requests during the measurement.
local requests = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local answers = {
  '{"boycott":"Yes","timing":"Autumn term"}',
  '{"boycott":"No","timing":"Not at all"}',
  '{"boycott":"Yes","timing":"Spring term"}',
}

function init(args)
  local n = tonumber(args[2])
  local i = 0
  local heads = {}
  math.randomseed(tid + 1)
  for line in io.lines(args[1]) do
    if i % n == tid then
      local body = '{"credential":"' .. line .. '","answers":' .. answers[math.random(3)] .. '}'
      local head = heads[#body]
      if not head then
        local whole = wrk.format("POST", "/api/votes", { ["Content-Type"] = "application/json" }, body)
        head = whole:sub(1, #whole - #body)
        heads[#body] = head
      end
      requests[#requests + 1] = head .. body
    end
    i = i + 1
  end
end

function request()
  idx = idx + 1
  return requests[idx] or requests[1]
end
