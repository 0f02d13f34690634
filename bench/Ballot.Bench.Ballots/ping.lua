-- wrk script: the ceiling, a trivial anonymous POST answering JSON on the same API.
wrk.method = "POST"
wrk.path = "/api/ping"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"credential":"AAAAAAAAAAAAAAAAAAAAAA","answers":{"boycott":"Yes","timing":"Autumn term"}}'
