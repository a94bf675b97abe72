<?php
// Changes a published post as an editor would, for the tests of edits and removals:
// `edit ID TEXT` adds a paragraph (WordPress stamps the modification time: now),
// `trash ID` moves it to the trash (its permalink then answers 404), `untrash ID` restores it,
// `publish 0 TITLE CATEGORY-SLUG TEXT` publishes a new post now.
require __DIR__ . '/boot.php';
[$_, $action, $id] = $argv;
$id = (int) $id;
wp_set_current_user(1);
if ($action === 'edit') {
    // After the first paragraph: the dateline opens the body and the sign-off ends it, as before.
    $post = get_post($id);
    $at = strpos($post->post_content, '</p>');
    $at = $at === false ? strlen($post->post_content) : $at + 4;
    $content = substr($post->post_content, 0, $at) . "\n\n<p>" . $argv[3] . '</p>' . substr($post->post_content, $at);
    $result = wp_update_post(['ID' => $id, 'post_content' => $content], true);
    if (is_wp_error($result)) { fwrite(STDERR, $result->get_error_message() . "\n"); exit(1); }
} elseif ($action === 'trash') {
    if (!wp_trash_post($id)) { fwrite(STDERR, "could not trash $id\n"); exit(1); }
} elseif ($action === 'untrash') {
    if (get_post_status($id) !== 'trash') { echo "untrash $id: not in the trash\n"; exit(0); }
    if (!wp_untrash_post($id)) { fwrite(STDERR, "could not restore $id\n"); exit(1); }
    wp_publish_post($id);  // restored posts come back as drafts since WordPress 5.6
} elseif ($action === 'publish') {
    [, , , $title, $category, $text] = $argv;
    $term = get_term_by('slug', $category, 'category');
    $id = wp_insert_post(['post_title' => $title, 'post_content' => '<p>KalbarOnline, Pontianak – ' . $text . '</p>', 'post_status' => 'publish', 'post_author' => 2, 'post_category' => [$term->term_id]], true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
} else {
    fwrite(STDERR, "unknown action $action\n");
    exit(2);
}
echo "$action $id\n";
