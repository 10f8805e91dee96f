# The report target names the site in a greendc-site header (site_header: true), for a test of a receiver that knows each site's own credential.
s|\(- {name: central, url: "[^"]*", secret_file: [^}]*\)}|\1, site_header: true}|
