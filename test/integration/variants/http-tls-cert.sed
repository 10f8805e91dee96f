# The HTTP server's certificate (http.tls_cert), made by the test with openssl.
s|^\(  listen: .*\)$|\1\n  tls_cert: @TLS_CERT@|
