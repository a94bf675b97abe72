<?php
// The test site's configuration. Everything that differs between sites (database port, the
// site's own URL) comes from the environment the harness sets, so one built site can be
// started again on another port.
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '127.0.0.1:' . getenv('NEWSARCHIVE_WP_DB_PORT'));
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', getenv('NEWSARCHIVE_WP_URL'));
define('WP_SITEURL', getenv('NEWSARCHIVE_WP_URL'));
define('AUTH_KEY', 'newsarchive-test'); define('SECURE_AUTH_KEY', 'newsarchive-test');
define('LOGGED_IN_KEY', 'newsarchive-test'); define('NONCE_KEY', 'newsarchive-test');
define('AUTH_SALT', 'newsarchive-test'); define('SECURE_AUTH_SALT', 'newsarchive-test');
define('LOGGED_IN_SALT', 'newsarchive-test'); define('NONCE_SALT', 'newsarchive-test');
// Loopback only: no update checks, no pings, no cron requests to itself.
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_DEBUG', false);
define('WP_DEBUG_LOG', getenv('NEWSARCHIVE_WP_LOG') ?: false);
define('WP_DEBUG_DISPLAY', false);
$table_prefix = 'wp_';
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
