# http.request_timeout 3 s (default 10 s): the test trickles headers and times the cut.
s|^\(  port: [0-9]*\)$|\1\n  request_timeout: 3s|
