# Small connection limits (4 per address, 8 in all; defaults 16 and 64) so the test can hold
# more connections than allowed and see the ones beyond the limit closed.
s|^\(  listen: .*\)$|\1\n  per_ip_connections: 4\n  max_connections: 8|
