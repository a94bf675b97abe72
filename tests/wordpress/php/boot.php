<?php
// Loads WordPress for a command-line script as a request to the site would: the host, port and
// URI a web request carries are set from the site URL, so URLs WordPress builds are the site's.
$url = parse_url(getenv('NEWSARCHIVE_WP_URL'));
$_SERVER['HTTP_HOST'] = $url['host'] . ':' . $url['port'];
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['SERVER_PORT'] = (string) $url['port'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
if (getenv('NEWSARCHIVE_WP_INSTALLING')) {
    define('WP_INSTALLING', true);
}
require getenv('NEWSARCHIVE_WP_ROOT') . '/wp-load.php';
