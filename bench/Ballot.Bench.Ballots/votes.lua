-- wrk script: each thread POSTs /api/votes with its own share of the credentials file, each credential once.
--   wrk -t2 -c64 -d10s --latency -s votes.lua http://127.0.0.1:PORT -- credentials.txt 2
local creds = {}
local idx = 0
local threads = {}
-- The request's head for each body length, made once by wrk.format: a request then costs one concatenation, close to
-- the static request the ceiling (ping.lua) sends, instead of the CPU of formatting it on the cores the API shares.
local heads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(args[2])
  local i = 0
  for line in io.lines(args[1]) do
    if i % n == tid then creds[#creds + 1] = line end
    i = i + 1
  end
  math.randomseed(tid + 1)
end

local answers = {
  '{"boycott":"Yes","timing":"Autumn term"}',
  '{"boycott":"No","timing":"Not at all"}',
  '{"boycott":"Yes","timing":"Spring term"}',
}

function request()
  idx = idx + 1
  local c = creds[idx] or creds[1]
  local body = '{"credential":"' .. c .. '","answers":' .. answers[math.random(3)] .. '}'
  local head = heads[#body]
  if not head then
    local whole = wrk.format("POST", "/api/votes", { ["Content-Type"] = "application/json" }, body)
    head = whole:sub(1, #whole - #body)
    heads[#body] = head
  end
  return head .. body
end
