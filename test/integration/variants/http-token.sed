# An API token (http.token_file: the SHA-256 of the token) that the test made: it checks that
# requests need it.
s|^\(  listen: .*\)$|\1\n  token_file: @TOKEN_FILE@|
