# The store committing every 200 ms (the demo: 500 ms), so what the daemon stored is readable
# sooner; polling stays as shipped.
s|commit_interval: .*|commit_interval: 200ms|
