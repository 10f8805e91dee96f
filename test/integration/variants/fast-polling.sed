# Every device polled every 500 ms (the demo: 5 s and 10 s), with a 400 ms timeout, alerts
# evaluated every 500 ms and the store committing every 200 ms: a test sees in seconds what
# the demo shows in minutes. Nothing else changes (rated powers, roles, coverage_min stay).
s|interval: [0-9]*s$|interval: 500ms|
s|timeout: 1s$|timeout: 400ms|
s|commit_interval: .*|commit_interval: 200ms|
