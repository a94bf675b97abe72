<?php
/*
 * Plugin Name: newsarchive test switches
 * Description: Turns the site's discovery channels off the way real sites do, for the tests:
 * the REST API answers 401 (what security plugins do), the feeds 404, sitemaps off (Yoast's
 * through its own setting, see channels.php; WordPress's own wp-sitemap.xml here).
 */
$off = get_option('newsarchive_channels_off', []);
if (in_array('rest', $off, true)) {
    add_filter('rest_authentication_errors', function () {
        return new WP_Error('rest_disabled', 'REST API restricted to logged-in users.', ['status' => 401]);
    });
}
if (in_array('feed', $off, true)) {
    foreach (['do_feed', 'do_feed_rdf', 'do_feed_rss', 'do_feed_rss2', 'do_feed_atom'] as $feed) {
        remove_all_actions($feed);
        add_action($feed, function () {
            status_header(404);
            nocache_headers();
            echo '<!doctype html><html><body><h1>Not found</h1></body></html>';
            exit;
        }, 1);
    }
}
if (in_array('sitemaps', $off, true)) {
    add_filter('wp_sitemaps_enabled', '__return_false');
}
