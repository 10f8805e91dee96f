# The HTTP server's private key (http.tls_key), made by the test with openssl.
s|^\(  listen: .*\)$|\1\n  tls_key: @TLS_KEY@|
