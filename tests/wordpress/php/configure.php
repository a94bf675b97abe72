<?php
// Switches the two Yoast settings real sites differ in: the site as an organisation with a
// name and logo (then Yoast's graph has an Article piece) or left as installed, representing
// nobody (then it has none: WebPage, ImageObject, BreadcrumbList, WebSite, Person), and
// "strip the category base" (categories at /<slug>/, /category/<slug>/ redirected); and,
// optionally, Yoast's default share image.
require __DIR__ . '/boot.php';
[$_, $who, $base, $share] = $argv + [3 => 'no-default-image'];
$share_id = (int) get_option('newsarchive_share_image');
$titles = get_option('wpseo_titles');
if ($who === 'organisation') {
    $titles['company_or_person'] = 'company';
    $titles['company_name'] = 'KalbarOnline';
    $titles['company_logo'] = wp_get_attachment_url($share_id);
    $titles['company_logo_id'] = $share_id;
} else {
    // Yoast's defaults. (A "person" site gets the Article piece too, with the person as publisher.)
    $titles['company_or_person'] = 'company';
    $titles['company_or_person_user_id'] = false;
    $titles['company_name'] = '';
    $titles['company_logo'] = '';
    $titles['company_logo_id'] = 0;
}
$titles['stripcategorybase'] = $base === 'strip';
update_option('wpseo_titles', $titles);
// Yoast's default og:image, for every page without an image of its own (listings included).
$social = get_option('wpseo_social');
$social['og_default_image'] = $share === 'default-image' ? wp_get_attachment_url($share_id) : '';
$social['og_default_image_id'] = $share === 'default-image' ? $share_id : '';
update_option('wpseo_social', $social);
// Yoast's cached pieces and the rewrite rules follow the options.
global $wpdb;
foreach (['yoast_indexable', 'yoast_indexable_hierarchy'] as $table) {
    $wpdb->query("DELETE FROM {$wpdb->prefix}$table");
}
// WordPress rebuilds the rules on the next request, with the new options loaded.
delete_option('rewrite_rules');
echo "configured $who $base\n";
