<?php
// Seeds the site through WordPress's own API from the JSON the harness writes
// (tests/wordpress/content.py): authors, categories, a navigation menu, featured images
// (painted with GD, resized by WordPress), posts with subtitles and tags, and edits.
require __DIR__ . '/boot.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once ABSPATH . 'wp-admin/includes/nav-menu.php';

$seed = json_decode(file_get_contents($argv[1]), true);
wp_set_current_user(1);

function fail($what) {
    fwrite(STDERR, $what . "\n");
    exit(1);
}

// The installer's sample post and page are not KalbarOnline's.
wp_delete_post(1, true);
wp_delete_post(2, true);

// AMP for WP's Swift design prints a post's excerpt under the headline (div.tl-exc) when
// "excerpt on single" is on, as on the live site's AMP copies (site-notes §3).
$amp = get_option('redux_builder_amp');
if (!is_array($amp)) fail('AMP for WP has not saved its settings (wp-admin never loaded)');
$amp['enable-excerpt-single'] = 1;
update_option('redux_builder_amp', $amp);

$authors = [];
foreach ($seed['authors'] as $author) {
    $id = wp_insert_user([
        'user_login' => $author['login'],
        'user_pass' => wp_generate_password(),
        'user_email' => $author['email'],
        'display_name' => $author['display_name'],
        'nickname' => $author['display_name'],
        'first_name' => $author['display_name'],
        'role' => 'author',
    ]);
    if (is_wp_error($id)) fail('user ' . $author['login'] . ': ' . $id->get_error_message());
    $authors[$author['login']] = $id;
}

$categories = [];
foreach ($seed['categories'] as $category) {
    $term = wp_insert_term($category['name'], 'category', ['slug' => $category['slug']]);
    if (is_wp_error($term)) fail('category ' . $category['slug'] . ': ' . $term->get_error_message());
    $categories[$category['slug']] = $term['term_id'];
}

// The primary menu lists the sections, as the live site's navigation does.
$menu = wp_create_nav_menu('Menu Utama');
if (is_wp_error($menu)) fail('menu: ' . $menu->get_error_message());
foreach ($seed['categories'] as $category) {
    wp_update_nav_menu_item($menu, 0, [
        'menu-item-object-id' => $categories[$category['slug']],
        'menu-item-object' => 'category',
        'menu-item-type' => 'taxonomy',
        'menu-item-status' => 'publish',
        'menu-item-title' => $category['name'],
    ]);
}
set_theme_mod('nav_menu_locations', ['primary' => $menu]);

function paint_image($image) {
    $im = imagecreatetruecolor($image['width'], $image['height']);
    [$r, $g, $b] = $image['color'];
    imagefilledrectangle($im, 0, 0, $image['width'], $image['height'], imagecolorallocate($im, $r, $g, $b));
    ob_start();
    imagejpeg($im, null, 80);
    return ob_get_clean();
}

function attach_image($image, $post_id, $date) {
    $upload = wp_upload_bits($image['filename'], null, paint_image($image), str_replace('-', '/', substr($date, 0, 7)));
    if (!empty($upload['error'])) fail('upload ' . $image['filename'] . ': ' . $upload['error']);
    $attachment = wp_insert_attachment([
        'post_mime_type' => 'image/jpeg',
        'post_title' => pathinfo($image['filename'], PATHINFO_FILENAME),
        'post_excerpt' => $image['caption'],  // WordPress keeps an image's caption here
        'post_content' => '',
        'post_status' => 'inherit',
    ], $upload['file'], $post_id, true);
    if (is_wp_error($attachment)) fail('attachment: ' . $attachment->get_error_message());
    wp_update_attachment_metadata($attachment, wp_generate_attachment_metadata($attachment, $upload['file']));
    if ($image['alt'] !== '') update_post_meta($attachment, '_wp_attachment_image_alt', $image['alt']);
    set_post_thumbnail($post_id, $attachment);
}

// The site's share image (Yoast's "default image" for pages without one of their own, and the
// organisation's logo): in the media library, attached to no post.
$share = ['filename' => 'kalbaronline-share.jpg', 'width' => 1200, 'height' => 630, 'caption' => '', 'alt' => 'KalbarOnline', 'color' => [20, 60, 120]];
$upload = wp_upload_bits($share['filename'], null, paint_image($share), '2022/01');
if (!empty($upload['error'])) fail('upload share image: ' . $upload['error']);
$share_id = wp_insert_attachment(['post_mime_type' => 'image/jpeg', 'post_title' => 'kalbaronline-share', 'post_content' => '', 'post_status' => 'inherit'], $upload['file'], 0, true);
if (is_wp_error($share_id)) fail('share image: ' . $share_id->get_error_message());
wp_update_attachment_metadata($share_id, wp_generate_attachment_metadata($share_id, $upload['file']));
update_option('newsarchive_share_image', $share_id);

// An edit made at a given time: WordPress stamps post_modified with "now", so the filter
// gives the edit its own time, before save_post hooks (Yoast's indexables) read the post.
$modified_at = null;
add_filter('wp_insert_post_data', function ($data) use (&$modified_at) {
    if ($modified_at !== null) {
        $data['post_modified'] = $modified_at;
        $data['post_modified_gmt'] = get_gmt_from_date($modified_at);
    }
    return $data;
}, 99);

$ids = [];
foreach ($seed['posts'] as $post) {
    $modified_at = $post['date'];
    $id = wp_insert_post([
        'post_title' => $post['title'],
        'post_content' => $post['content'],
        // Editors write the subtitle into the excerpt too; the AMP copy shows the excerpt.
        'post_excerpt' => $post['subtitle'] ?? '',
        'post_status' => 'publish',
        'post_author' => $authors[$post['author']],
        'post_date' => $post['date'],
        'post_date_gmt' => get_gmt_from_date($post['date']),
        'post_category' => array_map(fn($slug) => $categories[$slug], $post['categories']),
        'tags_input' => $post['tags'],
        'meta_input' => $post['subtitle'] !== null ? ['kia_subtitle' => $post['subtitle']] : [],
    ], true);
    if (is_wp_error($id)) fail('post ' . $post['key'] . ': ' . $id->get_error_message());
    // Yoast's primary category: the first one, as an editor picks it in the post screen.
    update_post_meta($id, '_yoast_wpseo_primary_category', $categories[$post['categories'][0]]);
    if ($post['image'] !== null) attach_image($post['image'], $id, $post['date']);
    if ($post['modified'] !== null) {
        $modified_at = $post['modified'];
        $result = wp_update_post(['ID' => $id, 'post_content' => $post['edited_content']], true);
        if (is_wp_error($result)) fail('edit ' . $post['key'] . ': ' . $result->get_error_message());
    }
    $modified_at = null;
    $ids[$post['key']] = $id;
}
// Yoast keeps a derived copy of each post (its indexables), made at save time; the images were
// attached after the posts, so let Yoast build them again from the finished posts, as its
// "optimise SEO data" tool does.
global $wpdb;
foreach (['yoast_indexable', 'yoast_indexable_hierarchy'] as $table) {
    $wpdb->query("DELETE FROM {$wpdb->prefix}$table");
}
echo json_encode($ids), "\n";
