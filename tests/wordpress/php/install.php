<?php
// Installs WordPress, sets the site up as KalbarOnline's was (timezone, date permalinks,
// Indonesian), and activates the theme and plugins the live site ran.
require __DIR__ . '/boot.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

wp_install('KalbarOnline', 'admin', 'admin@example.test', true, '', 'admin-password');
update_option('timezone_string', 'Asia/Pontianak');
update_option('gmt_offset', '');
update_option('date_format', 'j F Y');
update_option('time_format', 'H:i');
update_option('posts_per_page', 10);
update_option('blogdescription', 'Portal Berita Kalimantan Barat');
update_option('default_pingback_flag', 0);
update_option('default_ping_status', 'closed');
update_option('default_comment_status', 'closed');
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%day%/%postname%/');
switch_theme('newkarma');
$plugins = [
    'newkarma-core/newkarma-core.php',
    'wordpress-seo/wp-seo.php',
    'accelerated-mobile-pages/accelerated-moblie-pages.php',
    'kia-subtitle/kia-subtitle.php',
];
foreach ($plugins as $plugin) {
    $result = activate_plugin($plugin);
    if (is_wp_error($result)) {
        fwrite(STDERR, "activating $plugin: " . $result->get_error_message() . "\n");
        exit(1);
    }
}
flush_rewrite_rules(true);
echo "installed\n";
