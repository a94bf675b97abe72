<?php
// What WordPress's .htaccess does for Apache, for PHP's built-in server: an existing file is
// served as it is, an existing .php runs, anything else goes to index.php (pretty permalinks).
// Every request is logged with its status (php -S does not log requests a router handles), so
// tests can tell which pages a crawl fetched.
$log = getenv('NEWSARCHIVE_WP_REQUEST_LOG');
if ($log) {
    $uri = $_SERVER['REQUEST_URI'];
    register_shutdown_function(function () use ($log, $uri) {
        file_put_contents($log, http_response_code() . ' ' . $_SERVER['REQUEST_METHOD'] . ' ' . $uri . "\n", FILE_APPEND | LOCK_EX);
    });
}
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && is_file($file)) {
    if (substr($file, -4) === '.php') {
        $_SERVER['SCRIPT_NAME'] = $path;
        $_SERVER['SCRIPT_FILENAME'] = $file;
        $_SERVER['PHP_SELF'] = $path;
        chdir(dirname($file));
        require $file;
        return true;
    }
    return false;
}
if (is_dir($file) && is_file(rtrim($file, '/') . '/index.php')) {
    if (substr($path, -1) !== '/') {
        header('Location: ' . $path . '/', true, 301);
        return true;
    }
    $_SERVER['SCRIPT_NAME'] = rtrim($path, '/') . '/index.php';
    $_SERVER['SCRIPT_FILENAME'] = rtrim($file, '/') . '/index.php';
    $_SERVER['PHP_SELF'] = $_SERVER['SCRIPT_NAME'];
    chdir(rtrim($file, '/'));
    require rtrim($file, '/') . '/index.php';
    return true;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
