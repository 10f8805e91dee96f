# Another site id (the demo's is "demo"), for a test that runs two sites side by side.
s|^  id: demo$|  id: @SITE_ID@|
