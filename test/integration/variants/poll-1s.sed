# Every device polled every second (the demo: 5 s and 10 s), with an 800 ms timeout, and the
# store committing every 300 ms: enough samples in a minute to compare every one a
# remote-write receiver holds, few enough to read back over PromQL. Nothing else changes.
s|interval: [0-9]*s$|interval: 1s|
s|timeout: 1s$|timeout: 800ms|
s|commit_interval: .*|commit_interval: 300ms|
