# The HTTP server bound to @LISTEN@ instead of 127.0.0.1: the test checks what greendcd requires
# off the loopback address (a token, docs/api.md).
s|^  listen: 127.0.0.1$|  listen: @LISTEN@|
